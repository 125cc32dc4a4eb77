"""Token responses: never cached (RFC 6749 §5.1)."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from identity_service.errors import OAuthError
from identity_service.schemas import TokenOut
from identity_service.services.sessions import TokenPair

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def token_response(pair: TokenPair) -> JSONResponse:
    body = TokenOut(
        access_token=pair.access.token,
        expires_in=pair.access.expires_in,
        refresh_token=pair.refresh_token,
        refresh_expires_in=pair.refresh_expires_in,
        scope=pair.access.scope or None,
    )
    return JSONResponse(body.model_dump(exclude_none=True), headers=NO_STORE)


def oauth_error_response(error: OAuthError) -> JSONResponse:
    return JSONResponse(error.body(), error.status, headers={**error.headers, **NO_STORE})
