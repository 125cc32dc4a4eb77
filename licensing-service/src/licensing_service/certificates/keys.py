"""Ed25519 signing keys, their rotation, and the public keys published as a JWKS.

A key's id is the first 8 bytes of its RFC 7638 thumbprint (SHA-256 over the canonical
``{"crv","kty","x"}`` JSON), as the EU digital COVID certificates cut theirs to 8 bytes: it
goes into every QR, so it is short. In the JWKS it is written base64url without padding.
Where the keys are kept (files, database, an HSM) is the service layer's business: here a key
is an object, and signing goes through the :class:`CertificateSigner` port.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

KID_BYTES = 8


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not text.isascii() or "=" in text:
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def thumbprint(key: Ed25519PublicKey) -> bytes:
    """The RFC 7638 JWK thumbprint (SHA-256) of an Ed25519 public key."""
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw_public(key))},
        separators=(",", ":"),
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode("ascii")).digest()


def key_id(key: Ed25519PublicKey) -> bytes:
    return thumbprint(key)[:KID_BYTES]


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(raw_public(key)),
        "kid": b64url(key_id(key)),
        "use": "sig",
        "alg": "EdDSA",
    }


class CertificateSigner(Protocol):
    """What signs certificates: a key held in memory now, an HSM or KMS later."""

    @property
    def kid(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class SigningKey:
    private: Ed25519PrivateKey
    kid: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kid", key_id(self.private.public_key()))

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        """From the 32-byte raw private key."""
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


@dataclass(frozen=True, slots=True)
class Keyring:
    """The key that signs now, and the retired keys still trusted for what they signed.

    Rotating keeps the old public key in the JWKS (its certificates stay verifiable);
    withdrawing a key (compromised) drops it, and every certificate it signed is refused.
    """

    current: SigningKey
    retired: tuple[Ed25519PublicKey, ...] = ()

    def rotate(self, new: SigningKey) -> Keyring:
        return Keyring(new, (self.current.public, *self.retired))

    def withdraw(self, kid: bytes) -> Keyring:
        if kid == self.current.kid:
            raise ValueError("rotate to a new key before withdrawing the current one")
        return Keyring(self.current, tuple(k for k in self.retired if key_id(k) != kid))

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        keys = (self.current.public, *self.retired)
        return {"keys": [public_jwk(k) for k in keys]}


class BadJwks(ValueError):
    """A published key set that cannot be trusted as written."""


@dataclass(frozen=True, slots=True)
class VerificationKeys:
    by_kid: Mapping[bytes, Ed25519PublicKey]

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any]) -> VerificationKeys:
        """Only OKP/Ed25519 keys whose ``kid`` is their thumbprint's; anything else is refused."""
        entries = jwks.get("keys")
        if not isinstance(entries, Sequence) or isinstance(entries, str | bytes):
            raise BadJwks("a JWKS has a list of keys")
        by_kid: dict[bytes, Ed25519PublicKey] = {}
        for entry in entries:
            if not isinstance(entry, Mapping):
                raise BadJwks("a key is an object")
            if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
                raise BadJwks("only OKP Ed25519 keys are published")
            x, kid = entry.get("x"), entry.get("kid")
            if not isinstance(x, str) or not isinstance(kid, str):
                raise BadJwks("a key has x and kid")
            try:
                raw = b64url_decode(x)
                key = Ed25519PublicKey.from_public_bytes(raw)
            except ValueError as error:
                raise BadJwks("x is not an Ed25519 public key") from error
            if b64url(key_id(key)) != kid:
                raise BadJwks("kid is not the key's thumbprint")
            by_kid[key_id(key)] = key
        return cls(by_kid)

    def verify(self, kid: bytes, signature: bytes, message: bytes) -> bool | None:
        """True or False for a known key; None when ``kid`` is not published."""
        key = self.by_kid.get(kid)
        if key is None:
            return None
        try:
            key.verify(signature, message)
        except InvalidSignature:
            return False
        return True
