"""Access tokens (signed JWTs, the claims ``mahaliyat.auth`` verifies) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from identity_service.domain.keys import ALGORITHM
from identity_service.domain.roles import RoleGrant
from identity_service.ports.keys import Keyring
from mahaliyat.auth import Principal, PrincipalKind, TokenVerifier
from mahaliyat.clock import Clock
from mahaliyat.ids import new_id


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    jti: str
    expires_in: int
    scope: str


class TokenMinter:
    def __init__(self, keyring: Keyring, *, issuer: str, audience: str, clock: Clock) -> None:
        self.keyring = keyring
        self.issuer = issuer
        self.audience = audience
        self.clock = clock

    def mint(
        self,
        *,
        subject: str,
        kind: PrincipalKind,
        grants: Iterable[RoleGrant],
        scope: str,
        ttl_seconds: int,
        extra: Mapping[str, Any] | None = None,
    ) -> AccessToken:
        now = self.clock()
        issued_at = int(now.timestamp())
        jti = str(new_id())
        claims: dict[str, Any] = {
            **(extra or {}),
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + ttl_seconds,
            "jti": jti,
            "kind": kind,
            "grants": [{"role": g.role, "jurisdiction": g.jurisdiction} for g in grants],
            "scope": scope,
        }
        key = self.keyring.signer(now)
        token = jwt.encode(
            claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "at+jwt"}
        )
        return AccessToken(token, jti, ttl_seconds, scope)


class KeyringVerifier(TokenVerifier):
    """The kernel's verifier over this service's own live keyring (rotations included)."""

    def __init__(self, keyring: Keyring, *, issuer: str, audience: str) -> None:
        super().__init__(issuer=issuer, audience=audience, jwks=keyring.jwks())
        self._keyring = keyring
        self._version = keyring.version
        self._current = TokenVerifier(issuer=issuer, audience=audience, jwks=keyring.jwks())

    async def verify(self, token: str) -> Principal:
        jwks = self._keyring.jwks()  # re-reads a changed keyring file
        if self._keyring.version != self._version:
            self._version = self._keyring.version
            self._current = TokenVerifier(issuer=self.issuer, audience=self.audience, jwks=jwks)
        return await self._current.verify(token)


REFRESH_PREFIX = "mrt_"  # recognisable in a leaked log or a secret scanner


def new_refresh_token() -> tuple[str, str]:
    """A refresh token and the digest stored in its place."""
    token = REFRESH_PREFIX + secrets.token_urlsafe(32)
    return token, refresh_digest(token)


def refresh_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
