"""OAuth2 endpoints: token (client credentials, refresh), revocation (RFC 7009), introspection (RFC 7662).

Errors here are RFC 6749 §5.2 JSON (``error``, ``error_description``), not problem+json:
OAuth client libraries parse exactly that shape.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData

from identity_service.adapters import Adapters
from identity_service.api.deps import AdaptersDep, Anonymous, session_id_of
from identity_service.api.tokens_out import NO_STORE, oauth_error_response, token_response
from identity_service.errors import OAuthError
from identity_service.models import PartnerClient
from identity_service.services import partners, sessions
from identity_service.services.audit import Caller
from identity_service.services.sessions import TokenPair
from identity_service.tokens import REFRESH_PREFIX
from mahaliyat.auth import Principal, TokenError
from mahaliyat.web import Session

router = APIRouter(tags=["oauth2"])

FORM = "application/x-www-form-urlencoded"
_OAUTH_ERROR = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "error": {"type": "string"},
                    "error_description": {"type": "string"},
                },
            }
        }
    }
}


def _form_body(*fields: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "properties": {name: {"type": "string"} for name in fields},
                        "required": list(required),
                    }
                }
            },
        }
    }


async def _read_form(request: Request) -> FormData:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM:
        raise OAuthError("invalid_request", f"the body must be {FORM}")
    form = await request.form()
    for name in set(form.keys()):
        if len(form.getlist(name)) > 1:
            raise OAuthError("invalid_request", f"parameter {name} is repeated")
    return form


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and value != "" else None


def _client_credentials(request: Request, form: FormData) -> tuple[str, str] | None:
    """From HTTP Basic (RFC 6749 §2.3.1, form-encoded parts) or the body; never both."""
    header = request.headers.get("authorization", "")
    in_body = _field(form, "client_id"), _field(form, "client_secret")
    if header[:6].lower() == "basic ":
        if any(in_body[1:]):
            raise OAuthError("invalid_request", "use one client authentication method")
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
            client_id, _, secret = decoded.partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise OAuthError("invalid_client", "malformed Basic credentials", status=401) from None
        return unquote_plus(client_id), unquote_plus(secret)
    if in_body[0] and in_body[1]:
        return in_body[0], in_body[1]
    return None


async def _authenticated_client(
    request: Request, form: FormData, session: Session, adapters: Adapters, caller: Caller
) -> PartnerClient:
    credentials = _client_credentials(request, form)
    if credentials is None:
        raise OAuthError(
            "invalid_client",
            "client authentication is required",
            status=401,
            headers={"WWW-Authenticate": 'Basic realm="mahaliyat", charset="UTF-8"'},
        )
    return await partners.authenticate(session, adapters, *credentials, caller)


@router.post(
    "/token",
    summary="OAuth2 token endpoint: client_credentials (partners), refresh_token (citizens, staff)",
    openapi_extra=_form_body(
        "grant_type", "client_id", "client_secret", "scope", "refresh_token",
        required=("grant_type",),
    ),
    responses={200: {"description": "tokens"}, 400: _OAUTH_ERROR, 401: _OAUTH_ERROR},
)  # fmt: skip
async def token(
    request: Request, session: Session, adapters: AdaptersDep, caller: Anonymous
) -> Response:
    try:
        form = await _read_form(request)
        grant_type = _field(form, "grant_type")
        if grant_type == "client_credentials":
            client = await _authenticated_client(request, form, session, adapters, caller)
            access = partners.client_credentials_token(adapters, client, _field(form, "scope"))
            return token_response(TokenPair(access))
        if grant_type == "refresh_token":
            refresh_token = _field(form, "refresh_token")
            if refresh_token is None:
                raise OAuthError("invalid_request", "refresh_token is required")
            return token_response(await sessions.refresh(session, adapters, refresh_token, caller))
        if grant_type is None:
            raise OAuthError("invalid_request", "grant_type is required")
        raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
    except OAuthError as error:
        # Returned, not raised: the session still commits what the refusal wrote
        # (a revoked family, the audit entry).
        return oauth_error_response(error)


async def _verified_access_token(adapters: Adapters, token: str) -> Principal | None:
    try:
        return await adapters.verifier.verify(token)
    except TokenError:
        return None


@router.post(
    "/revoke",
    summary="RFC 7009: revoke a refresh token (its whole session) or an access token's session",
    openapi_extra=_form_body("token", "token_type_hint", required=("token",)),
    # RFC 7009 §2.2: 200 and nothing else; OAuth clients look at the status only.
    response_class=Response,
    response_description="Revoked, or unknown or already revoked; no content",
    responses={400: _OAUTH_ERROR},
)
async def revoke(request: Request, session: Session, adapters: AdaptersDep) -> Response:
    try:
        form = await _read_form(request)
    except OAuthError as error:
        return oauth_error_response(error)
    token = _field(form, "token")
    if token is None:
        return oauth_error_response(OAuthError("invalid_request", "token is required"))
    now = adapters.clock()
    family = None
    if token.startswith(REFRESH_PREFIX):
        family = await sessions.refresh_token_family(session, token)
    elif (principal := await _verified_access_token(adapters, token)) is not None:
        family = session_id_of(principal)
    if family is not None:
        await sessions.revoke_family(session, family, "revoked", now)
    # An unknown or already revoked token answers 200 as well (RFC 7009 §2.2).
    return Response(status_code=200, headers=NO_STORE)


@router.post(
    "/introspect",
    summary="RFC 7662: is this token active, and for whom (partners and services)",
    openapi_extra=_form_body(
        "token", "token_type_hint", "client_id", "client_secret", required=("token",)
    ),
    responses={400: _OAUTH_ERROR, 401: _OAUTH_ERROR},
)
async def introspect(
    request: Request, session: Session, adapters: AdaptersDep, caller: Anonymous
) -> Response:
    try:
        form = await _read_form(request)
        await _introspecting_caller(request, form, session, adapters, caller)
        token = _field(form, "token")
        if token is None:
            raise OAuthError("invalid_request", "token is required")
    except OAuthError as error:
        return oauth_error_response(error)
    return JSONResponse(await _describe(session, adapters, token), headers=NO_STORE)


async def _introspecting_caller(
    request: Request, form: FormData, session: Session, adapters: Adapters, caller: Caller
) -> None:
    """A partner client (its credentials or its token) or another service's token."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        principal = await _verified_access_token(adapters, header[7:].strip())
        if principal is None or principal.kind not in ("partner", "service"):
            raise OAuthError("invalid_client", "a partner or service token is required", status=401)
        return
    await _authenticated_client(request, form, session, adapters, caller)


async def _describe(session: Session, adapters: Adapters, token: str) -> dict[str, Any]:
    now = adapters.clock()
    if token.startswith(REFRESH_PREFIX):
        described = await sessions.describe_refresh_token(session, token, now)
        return {"active": True, **described} if described else {"active": False}
    principal = await _verified_access_token(adapters, token)
    if principal is None:
        return {"active": False}
    family = session_id_of(principal)
    if family is not None and not await sessions.family_is_active(session, family):
        return {"active": False}  # signed out: the JWT alone would still verify
    claims = dict(principal.claims)
    return {"active": True, "token_type": "Bearer", **claims}
