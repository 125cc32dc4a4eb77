"""Signing keys: Ed25519 (EdDSA) with a ``kid``; the first key signs, every key is published.

The keys and their rules, no storage: where the keyring lives is ``ports.keys``.

The keyring is JSON, in a file (re-read when it changes) or in a setting::

    {"keys": [{"kid": "…", "alg": "EdDSA", "private_key": "-----BEGIN PRIVATE KEY-----…",
               "created_at": "2026-11-24T10:00:00+00:00", "activates_at": null,
               "retired_at": null}]}

The first key that is active (``activates_at`` empty or past) signs. Rotation puts a
new key first, active after a delay so that every verifier can fetch it before it
meets a token signed with it, and marks the previous signer retired from then on; a
retired key stays published until every token it signed has expired, then a later
rotation drops it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ALGORITHM = "EdDSA"


class KeyringError(RuntimeError):
    """The keyring is missing or unusable: the service must not start."""


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey
    created_at: datetime
    retired_at: datetime | None = None
    activates_at: datetime | None = None  # None: active since it was created

    @classmethod
    def generate(cls, now: datetime, activates_at: datetime | None = None) -> SigningKey:
        private_key = Ed25519PrivateKey.generate()
        return cls(thumbprint(private_key), private_key, now, activates_at=activates_at)

    def is_active(self, now: datetime) -> bool:
        return self.activates_at is None or self.activates_at <= now

    def public_jwk(self) -> dict[str, str]:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": _b64url(raw),
            "kid": self.kid,
            "use": "sig",
            "alg": ALGORITHM,
        }

    def to_record(self) -> dict[str, Any]:
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return {
            "kid": self.kid,
            "alg": ALGORITHM,
            "private_key": pem,
            "created_at": self.created_at.isoformat(),
            "activates_at": self.activates_at.isoformat() if self.activates_at else None,
            "retired_at": self.retired_at.isoformat() if self.retired_at else None,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> SigningKey:
        if record.get("alg", ALGORITHM) != ALGORITHM:
            raise KeyringError(f"key {record.get('kid')!r}: only {ALGORITHM} keys are supported")
        private_key = serialization.load_pem_private_key(
            str(record["private_key"]).encode(), password=None
        )
        if not isinstance(private_key, Ed25519PrivateKey):
            raise KeyringError(f"key {record.get('kid')!r} is not an Ed25519 private key")
        return cls(
            kid=str(record.get("kid") or thumbprint(private_key)),
            private_key=private_key,
            created_at=_moment(record["created_at"]),
            retired_at=_moment(record.get("retired_at")) if record.get("retired_at") else None,
            activates_at=(
                _moment(record.get("activates_at")) if record.get("activates_at") else None
            ),
        )


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"timestamps in the keyring need a time zone: {value!r}")
    return moment


def thumbprint(private_key: Ed25519PrivateKey) -> str:
    """The RFC 7638 JWK thumbprint of the public key: a stable, collision-free ``kid``."""
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}, separators=(",", ":"), sort_keys=True
    )
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def parse_keyring(text: str) -> list[SigningKey]:
    try:
        document = json.loads(text)
        keys = [SigningKey.from_record(record) for record in document["keys"]]
    except KeyringError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyringError(f"the keyring is not valid: {exc}") from exc
    if not keys:
        raise KeyringError("the keyring holds no keys")
    if len({key.kid for key in keys}) != len(keys):
        raise KeyringError("two keys in the keyring share a kid")
    return keys


def dump_keyring(keys: Sequence[SigningKey]) -> str:
    return json.dumps({"keys": [key.to_record() for key in keys]}, indent=2) + "\n"


def public_jwks(keys: Sequence[SigningKey]) -> dict[str, Any]:
    return {"keys": [key.public_jwk() for key in keys]}


def rotate(
    keys: Sequence[SigningKey],
    now: datetime,
    keep_retired_for: timedelta,
    activate_after: timedelta = timedelta(0),
) -> tuple[list[SigningKey], SigningKey, list[SigningKey]]:
    """A new signing key first, active after ``activate_after``; the old signers retire then;
    keys retired before ``now - keep_retired_for`` are dropped.

    Returns ``(keyring, new key, dropped keys)``.
    """
    switch = now + activate_after
    new = SigningKey.generate(now, activates_at=switch if activate_after else None)
    kept, dropped = [], []
    for key in keys:
        if key.retired_at is None:
            key = replace(key, retired_at=switch)
        elif key.retired_at <= now - keep_retired_for:
            dropped.append(key)
            continue
        kept.append(key)
    return [new, *kept], new, dropped
