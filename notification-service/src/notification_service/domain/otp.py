"""Reading one-time codes sent by identity-service, only at the moment they are sent.

``code_ciphertext`` carries nonce (12 bytes) ‖ AES-256-GCM ciphertext and tag of
the UTF-8 code, either as identity-service writes it, ``"v1:" + base64`` (standard
alphabet, padded), or as bare base64url (padding optional). The key is SHA-256 of
the shared ``otp_delivery_key``; the associated data is the challenge id (UTF-8),
so a ciphertext cannot be replayed under another challenge.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
VERSION = "v1:"
MASK = "******"


class OtpDecryptionError(ValueError):
    """The ciphertext is malformed, or was made with another key or challenge."""


class OtpCipher:
    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(hashlib.sha256(secret.encode()).digest())

    def decrypt(self, ciphertext: str, challenge_id: str) -> str:
        try:
            if ciphertext.startswith(VERSION):
                raw = base64.b64decode(ciphertext.removeprefix(VERSION), validate=True)
            else:
                padded = ciphertext + "=" * (-len(ciphertext) % 4)
                raw = base64.b64decode(padded, altchars=b"-_", validate=True)
        except ValueError as exc:
            raise OtpDecryptionError("code_ciphertext is not base64") from exc
        if len(raw) <= NONCE_BYTES + 16:
            raise OtpDecryptionError("code_ciphertext is too short")
        try:
            plain = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], challenge_id.encode())
        except InvalidTag as exc:
            raise OtpDecryptionError("code_ciphertext does not open with this key") from exc
        return plain.decode()

    def encrypt(self, code: str, challenge_id: str, *, versioned: bool = True) -> str:
        """What identity-service does (for tests and the benchmark); bare base64url if not versioned."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, code.encode(), challenge_id.encode())
        if versioned:
            return VERSION + base64.b64encode(nonce + sealed).decode()
        return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
