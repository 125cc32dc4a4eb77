"""Each outside system behind a Protocol: the key storage (``keys``), the OTP delivery."""
