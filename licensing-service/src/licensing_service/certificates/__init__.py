"""Certificates whose QR verifies offline: COSE_Sign1 (Ed25519) in base45, keys as a JWKS."""
