"""``/.well-known``: the public keys and the authorization server metadata.

There is no authorization endpoint: citizens sign in through the one-time-code API, staff
through the password API, partners with client credentials; nothing redirects a browser.
So this is not an OpenID Provider (no ID tokens, no userinfo, no authorization endpoint)
and cannot publish a valid OpenID Connect Discovery document. What it publishes is RFC
8414 authorization server metadata, at ``/.well-known/oauth-authorization-server`` and,
as RFC 8414 §3 and §5 allow, the same document at ``/.well-known/openid-configuration``
for tools that only look there (usually to find ``jwks_uri``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from identity_service.adapters import Adapters
from identity_service.api.deps import AdaptersDep
from identity_service.domain.scopes import SERVICE_ONLY_SCOPES

ACCESS_TOKEN_CLAIMS = (
    "iss", "aud", "sub", "iat", "nbf", "exp", "jti", "kind", "grants", "scope", "sid",
    "client_id", "preferred_username", "national_id", "phone_number", "nid_governorate",
)  # fmt: skip


def discovery_router(api_prefix: str) -> APIRouter:
    router = APIRouter(prefix="/.well-known", tags=["discovery"])
    router.add_api_route(
        "/jwks.json", jwks, methods=["GET"], summary="Public keys that verify our tokens (JWKS)"
    )

    async def metadata(adapters: AdaptersDep) -> JSONResponse:
        return metadata_response(adapters, api_prefix)

    for path, summary in (
        ("/oauth-authorization-server", "RFC 8414 authorization server metadata"),
        ("/openid-configuration", "The same RFC 8414 metadata, where OIDC tools look for it"),
    ):
        router.add_api_route(path, metadata, methods=["GET"], summary=summary)
    return router


async def jwks(adapters: AdaptersDep) -> JSONResponse:
    seconds = adapters.settings.jwks_cache_seconds
    return JSONResponse(
        adapters.keyring.jwks(),
        headers={"Cache-Control": f"public, max-age={seconds}"},
    )


def metadata_document(adapters: Adapters, api_prefix: str) -> dict[str, Any]:
    """RFC 8414 §2 metadata. Left out on purpose: ``authorization_endpoint`` (no grant we
    support uses one) and ``response_types_supported`` (no response type without it, and
    §3.2 forbids empty lists; RFC 8414 erratum 7793)."""
    settings = adapters.settings
    base = settings.public_base_url.rstrip("/")
    return {
        "issuer": settings.jwt_issuer,
        "token_endpoint": f"{base}{api_prefix}/token",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "scopes_supported": [*settings.partner_scopes, *SERVICE_ONLY_SCOPES],
        "grant_types_supported": ["client_credentials", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "service_documentation": f"{base}{api_prefix}/docs",
        "ui_locales_supported": ["ar", "en"],
        "revocation_endpoint": f"{base}{api_prefix}/revoke",
        # RFC 7009: whoever holds a token may revoke it; no client authentication.
        "revocation_endpoint_auth_methods_supported": ["none"],
        "introspection_endpoint": f"{base}{api_prefix}/introspect",
        # Client credentials, or a partner or service access token ("Bearer", from the
        # OAuth Access Token Types registry, as RFC 8414 §2 allows).
        "introspection_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "Bearer",
        ],
        # Extensions (RFC 8414 §2: additional metadata may be used).
        "mahaliyat_access_token_signing_alg_values_supported": ["EdDSA"],
        "mahaliyat_access_token_claims": list(ACCESS_TOKEN_CLAIMS),
        "mahaliyat_citizen_otp_endpoints": {
            "request": f"{base}{api_prefix}/otp/request",
            "verify": f"{base}{api_prefix}/otp/verify",
        },
        "mahaliyat_staff_login_endpoint": f"{base}{api_prefix}/staff/login",
    }


def metadata_response(adapters: Adapters, api_prefix: str) -> JSONResponse:
    return JSONResponse(
        metadata_document(adapters, api_prefix),
        headers={"Cache-Control": f"public, max-age={adapters.settings.jwks_cache_seconds}"},
    )
