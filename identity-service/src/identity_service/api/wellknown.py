"""``/.well-known``: the public keys and the discovery document."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from identity_service.api.deps import Identity
from identity_service.runtime import IdentityRuntime


def discovery_router(api_prefix: str) -> APIRouter:
    router = APIRouter(prefix="/.well-known", tags=["discovery"])
    router.add_api_route(
        "/jwks.json", jwks, methods=["GET"], summary="Public keys that verify our tokens (JWKS)"
    )

    async def openid_configuration(identity: Identity) -> JSONResponse:
        return discovery_document(identity, api_prefix)

    router.add_api_route(
        "/openid-configuration",
        openid_configuration,
        methods=["GET"],
        summary="Discovery: issuer, keys, endpoints, scopes",
    )
    return router


async def jwks(identity: Identity) -> JSONResponse:
    seconds = identity.settings.jwks_cache_seconds
    return JSONResponse(
        identity.keyring.jwks(),
        headers={"Cache-Control": f"public, max-age={seconds}"},
    )


def discovery_document(identity: IdentityRuntime, api_prefix: str) -> JSONResponse:
    settings = identity.settings
    base = settings.public_base_url.rstrip("/")
    document: dict[str, Any] = {
        "issuer": settings.jwt_issuer,
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "token_endpoint": f"{base}{api_prefix}/token",
        "revocation_endpoint": f"{base}{api_prefix}/revoke",
        "introspection_endpoint": f"{base}{api_prefix}/introspect",
        "grant_types_supported": ["client_credentials", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "introspection_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "bearer",
        ],
        "scopes_supported": list(settings.partner_scopes),
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["EdDSA"],
        "token_signing_alg_values_supported": ["EdDSA"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "nbf", "jti", "kind", "grants", "scope",
            "sid", "client_id", "preferred_username", "nid_governorate",
        ],
        "mahaliyat_citizen_otp_endpoints": {
            "request": f"{base}{api_prefix}/otp/request",
            "verify": f"{base}{api_prefix}/otp/verify",
        },
        "mahaliyat_staff_login_endpoint": f"{base}{api_prefix}/staff/login",
    }  # fmt: skip
    return JSONResponse(
        document, headers={"Cache-Control": f"public, max-age={settings.jwks_cache_seconds}"}
    )
