"""Token verification and authorization primitives every service uses.

Tokens are JWTs signed by identity-service (or any OIDC provider) with an
asymmetric key named by ``kid``. Claims: ``sub``, ``iss``, ``aud``, ``exp``,
``iat``, optional ``nbf``, ``jti``; ``kind`` (citizen, staff, partner, service);
``grants`` — a list of ``{"role", "jurisdiction"}``; ``scope`` — space-separated.

Jurisdiction codes are hyphen-separated paths: ``EG`` (the nation), ``21``
(Giza), ``21-03`` (a markaz of Giza), ``21-03-F01`` (a centre in it). A grant on
a code covers that code and everything under it.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mahaliyat.jurisdictions import NATION as NATION
from mahaliyat.jurisdictions import covers as covers
from mahaliyat.problems import Problem, field_error

ALGORITHMS = ("EdDSA", "ES256")
PrincipalKind = Literal["citizen", "staff", "partner", "service"]


@dataclass(frozen=True, slots=True)
class Grant:
    role: str
    jurisdiction: str


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    kind: PrincipalKind
    grants: tuple[Grant, ...] = ()
    scopes: frozenset[str] = field(default_factory=frozenset)
    token_id: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    def jurisdictions(self, *roles: str) -> tuple[str, ...]:
        """Where the principal holds any of ``roles`` (any role when none are named)."""
        return tuple(g.jurisdiction for g in self.grants if not roles or g.role in roles)

    def can(self, role: str | Iterable[str], jurisdiction: str) -> bool:
        """Whether it holds ``role`` over ``jurisdiction``."""
        wanted = {role} if isinstance(role, str) else set(role)
        return any(g.role in wanted and covers(g.jurisdiction, jurisdiction) for g in self.grants)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class TokenError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


KeyLoader = Callable[[], Awaitable[Mapping[str, Any]]]


class TokenVerifier:
    """Verifies a bearer token's signature and every claim, then builds the :class:`Principal`.

    Keys come from a JWKS document fetched over HTTP (cached; refetched at most
    every ``min_refresh_seconds`` when an unknown ``kid`` appears), from a JWKS
    file (re-read under the same rules, so a rotation written there is picked
    up), or from a JWKS given directly.
    """

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        jwks_file: Path | None = None,
        jwks: Mapping[str, Any] | None = None,
        algorithms: Iterable[str] = ALGORITHMS,
        leeway_seconds: int = 30,
        cache_seconds: float = 300.0,
        min_refresh_seconds: float = 30.0,
        http_client: httpx.AsyncClient | None = None,
        cache_size: int = 10_000,
    ) -> None:
        if not jwks_url and jwks_file is None and jwks is None:
            raise ValueError("a JWKS URL, a JWKS file or a JWKS is required")
        self.jwks_file = jwks_file
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self.algorithms = tuple(algorithms)
        self.leeway = leeway_seconds
        self.cache_seconds = cache_seconds
        self.min_refresh_seconds = min_refresh_seconds
        self._http = http_client
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")  # never
        self._lock = asyncio.Lock()
        # Tokens already verified: a client repeats its token on every request, and
        # the signature check costs ~0.1-0.3 ms. Entries live until the token expires.
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._cache_size = cache_size
        if jwks is not None:
            self._keys = _parse_jwks(jwks)
            self._fetched_at = float("inf")

    async def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None:
            if cached[1] > time.time():
                self._verified.move_to_end(token)
                return cached[0]
            del self._verified[token]
        principal = await self._verify_signed(token)
        self._verified[token] = (principal, float(principal.claims["exp"]) + self.leeway)
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)
        return principal

    async def _verify_signed(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenError("malformed_token", "the token is not a JWT") from exc
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise TokenError("algorithm_not_allowed", f"algorithm {alg!r} is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise TokenError("unknown_key", "the token names no key")
        key = await self._key(kid)
        if key.algorithm_name != alg:
            raise TokenError(
                "algorithm_not_allowed", "the token's algorithm does not match its key"
            )
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("token_expired", "the token has expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise TokenError("token_not_yet_valid", "the token is not valid yet") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenError("wrong_audience", "the token is for another audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenError("wrong_issuer", "the token is from another issuer") from exc
        except jwt.InvalidSignatureError as exc:
            raise TokenError("bad_signature", "the token's signature is invalid") from exc
        except jwt.PyJWTError as exc:
            raise TokenError("invalid_token", str(exc)) from exc
        return principal_from_claims(claims)

    async def _key(self, kid: str) -> jwt.PyJWK:
        if (self.jwks_url or self.jwks_file) and (
            kid not in self._keys or self._age() >= self.cache_seconds
        ):
            async with self._lock:
                age = self._age()
                if age >= self.cache_seconds or (
                    kid not in self._keys and age >= self.min_refresh_seconds
                ):
                    await self._refresh()
        if kid not in self._keys:
            raise TokenError("unknown_key", "the token is signed by an unknown key")
        return self._keys[kid]

    def _replace_keys(self, keys: dict[str, jwt.PyJWK]) -> None:
        if set(keys) != set(self._keys):
            self._verified.clear()  # a withdrawn key must not live on in the cache
        self._keys = keys

    def _age(self) -> float:
        return time.monotonic() - self._fetched_at

    async def _refresh(self) -> None:
        if self.jwks_file is not None:
            try:
                self._replace_keys(_parse_jwks(load_jwks_file(self.jwks_file)))
            except (OSError, ValueError) as exc:
                if not self._keys:
                    raise TokenError("keys_unavailable", "signing keys are unavailable") from exc
            finally:
                self._fetched_at = time.monotonic()
            return
        assert self.jwks_url is not None
        client = self._http or httpx.AsyncClient(timeout=5.0)
        try:
            response = await client.get(self.jwks_url)
            response.raise_for_status()
            self._replace_keys(_parse_jwks(response.json()))
        except (httpx.HTTPError, ValueError) as exc:
            if not self._keys:
                raise TokenError("keys_unavailable", "signing keys are unavailable") from exc
        finally:
            self._fetched_at = time.monotonic()
            if self._http is None:
                await client.aclose()


def _parse_jwks(document: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document.get("keys", []):
        if entry.get("use", "sig") != "sig" or "kid" not in entry:
            continue
        try:
            keys[entry["kid"]] = jwt.PyJWK.from_dict(dict(entry))
        except jwt.PyJWTError:
            continue  # a key we cannot use is as good as absent
    return keys


def load_jwks_file(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    kind = claims.get("kind", "citizen")
    if kind not in ("citizen", "staff", "partner", "service"):
        raise TokenError("invalid_token", "unknown principal kind")
    grants = []
    for entry in claims.get("grants", []) or []:
        if not isinstance(entry, Mapping):
            raise TokenError("invalid_token", "malformed grant")
        role, jurisdiction = entry.get("role"), entry.get("jurisdiction")
        if not isinstance(role, str) or not isinstance(jurisdiction, str):
            raise TokenError("invalid_token", "malformed grant")
        grants.append(Grant(role, jurisdiction))
    scope = claims.get("scope", "")
    return Principal(
        subject=str(claims["sub"]),
        kind=kind,
        grants=tuple(grants),
        scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
        token_id=claims.get("jti"),
        claims=dict(claims),
    )


# --- FastAPI dependencies ---------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False)


def _unauthenticated(code: str, detail: str) -> Problem:
    return Problem(
        401,
        code,
        detail,
        headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{code}"'},
    )


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The verified caller. Only the bearer token counts; identity headers are never read."""
    if credentials is None:
        raise Problem(401, "unauthenticated", headers={"WWW-Authenticate": "Bearer"})
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise Problem(503, "unavailable", "token verification is not configured")
    try:
        return await verifier.verify(credentials.credentials)
    except TokenError as exc:
        raise _unauthenticated(exc.code, str(exc)) from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting principals holding any of ``roles`` somewhere."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise Problem(403, "forbidden", "this action needs role: " + ", ".join(roles))
        return principal

    return dependency


def require_scope(scope: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has_scope(scope):
            raise Problem(403, "insufficient_scope", f"this action needs scope {scope}")
        return principal

    return dependency


_JURISDICTION_CODE = re.compile(r"^[A-Za-z0-9]{1,16}(-[A-Za-z0-9]{1,16}){0,5}$")


def require_jurisdiction(
    *roles: str, param: str = "jurisdiction"
) -> Callable[[Request, Principal], Awaitable[Principal]]:
    """A dependency admitting principals holding one of ``roles`` over the request's jurisdiction.

    The jurisdiction is the path parameter ``param`` (else the query parameter of that
    name). Holding none of the roles anywhere is 403; holding them, but not over that
    jurisdiction, is 404, so the record's existence is not revealed. With no roles
    named, a grant of any role counts.
    """

    async def dependency(request: Request, principal: CurrentPrincipal) -> Principal:
        code = request.path_params.get(param)
        location = "path"
        if code is None:
            code, location = request.query_params.get(param), "query"
        if code is None:
            raise Problem(
                422,
                "validation_failed",
                errors=[field_error(param, "missing", "a jurisdiction code is required", "query")],
            )
        if not _JURISDICTION_CODE.match(code):
            raise Problem(
                422,
                "validation_failed",
                errors=[
                    field_error(
                        param,
                        "invalid_jurisdiction",
                        "a jurisdiction code is EG or a hyphen path such as 21-03-F01",
                        location,
                    )
                ],
            )
        held = roles or principal.roles
        if not principal.has_role(*held):
            needed = ", ".join(roles) if roles else "any"
            raise Problem(403, "forbidden", f"this action needs role: {needed}")
        if not principal.can(held, code):
            raise Problem(404, "not_found")
        return principal

    return dependency


def ensure_jurisdiction(
    principal: Principal, roles: str | Iterable[str], jurisdiction: str
) -> None:
    """Refuse a record outside the principal's jurisdiction with 404, so its existence is not revealed."""
    if not principal.can(roles, jurisdiction):
        raise Problem(404, "not_found")
