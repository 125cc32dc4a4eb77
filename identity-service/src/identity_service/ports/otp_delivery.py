"""The OTP delivery port: the one-time code on its way to the SMS sender, never in clear.

The code travels in the ``identity.otp.requested`` event (outbox, then the bus), sealed
with AES-256-GCM.

Format of ``code_ciphertext`` (docs/identity.md, for notification-service to decrypt
on its own): ``"v1:" + base64(nonce ‖ ciphertext ‖ tag)`` with standard base64
(RFC 4648 §4, padded); the key is SHA-256 of the UTF-8 setting
``MAHALIYAT_OTP_DELIVERY_KEY``; the nonce is 12 random bytes; the associated
data is the challenge id as written in the event (lowercase, hyphenated); the
plaintext is the code's six ASCII digits. The tag is 16 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1:"
NONCE_BYTES = 12


class UndecryptableCode(ValueError):
    """Wrong key, wrong challenge, tampered or malformed ciphertext."""


def delivery_key(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def encrypt_code(secret: str, challenge_id: str, code: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(delivery_key(secret)).encrypt(nonce, code.encode(), challenge_id.encode())
    return VERSION + base64.b64encode(nonce + sealed).decode()


def decrypt_code(secret: str, challenge_id: str, ciphertext: str) -> str:
    if not ciphertext.startswith(VERSION):
        raise UndecryptableCode("unknown format")
    try:
        raw = base64.b64decode(ciphertext.removeprefix(VERSION), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UndecryptableCode("not base64") from exc
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    try:
        plain = AESGCM(delivery_key(secret)).decrypt(nonce, sealed, challenge_id.encode())
    except (InvalidTag, ValueError) as exc:
        raise UndecryptableCode("authentication failed") from exc
    return plain.decode()


class OtpDelivery(Protocol):
    """How a one-time code leaves this service: sealed for the SMS sender, never in clear."""

    def seal(self, challenge_id: str, code: str) -> str:
        """The ``code_ciphertext`` of the ``identity.otp.requested`` event."""
        ...


class SealedForNotification:
    """The real delivery: AES-256-GCM under ``MAHALIYAT_OTP_DELIVERY_KEY``, which
    notification-service holds too; it reads the event from the outbox and sends the SMS
    (through its own sandbox outside production)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def seal(self, challenge_id: str, code: str) -> str:
        return encrypt_code(self._secret, challenge_id, code)
