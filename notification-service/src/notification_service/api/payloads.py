"""Reading a provider's webhook call: its authentication, its payload, its fields.

Each provider authenticates as its settings say (``webhook_auth``): our HMAC
signature over ``<timestamp>.<raw body>`` (domain/signatures; for a GET, over the
raw query string), a fixed token in a header or in the query string, or HTTP
basic auth — optionally only from listed source addresses. Every failure, an
unknown provider included, gets the same 401 problem: the answer tells a caller
neither which providers exist nor how they authenticate (the reason is logged).

A payload comes as a GET query string, a POST form or a POST JSON body (the
Content-Type decides; the provider's ``*_format`` when it says nothing). Field
names and status words come from the provider's settings. Token and basic-auth
webhooks carry no timestamp, so each payload's digest is kept for the replay
window: a replay answers as the first time did and has no second effect.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from mahaliyat.problems import Problem, field_error
from mahaliyat.web.bodies import InvalidJson, parse_json_body
from notification_service.adapters import Adapters
from notification_service.domain.signatures import WebhookAuthError, verify
from notification_service.domain.webhooks import (
    address_allowed,
    client_address,
    payload_digest,
    verify_basic,
    verify_token,
)
from notification_service.providers.base import ProviderReceipt
from notification_service.providers.http import dotted
from notification_service.settings import ProviderSettings

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024
UNAUTHENTICATED = "webhook_unauthenticated"


async def read_body(request: Request) -> bytes:
    """The body, refused with 413 past ``MAX_BODY`` without reading further."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise Problem(413, "payload_too_large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise Problem(413, "payload_too_large")
    return bytes(body)


def authenticate(
    request: Request, adapters: Adapters, config: ProviderSettings, body: bytes
) -> None:
    """Raise :class:`WebhookAuthError` unless the call comes from the provider ``config`` names."""
    settings = adapters.settings
    if config.webhook_allowed_ips:
        address = client_address(
            request.headers.getlist("x-forwarded-for"),
            request.client.host if request.client else None,
            settings.trusted_proxy_hops,
        )
        if not address_allowed(address, config.webhook_allowed_ips):
            raise WebhookAuthError("address_not_allowed", f"{address} is not an allowed source")
    secret = config.webhook_secret.get_secret_value()
    if config.webhook_auth == "hmac":
        verify(
            secret,
            timestamp=request.headers.get("x-mahaliyat-timestamp"),
            signatures=request.headers.get("x-mahaliyat-signature"),
            # A GET (or an empty POST) carries its payload in the query string: that is signed.
            body=body if body else request.scope.get("query_string", b""),
            now=adapters.now(),
            tolerance_seconds=settings.webhook_tolerance_seconds,
        )
    elif config.webhook_auth == "token":
        offered = []
        if config.webhook_token_header:
            value = request.headers.get(config.webhook_token_header)
            offered.append(value)
            if value and value[:7].lower() == "bearer ":  # "Authorization: Bearer <token>"
                offered.append(value[7:].strip())
        if config.webhook_token_param:
            offered.append(request.query_params.get(config.webhook_token_param))
        verify_token(secret, offered)
    else:
        verify_basic(config.webhook_username or "", secret, request.headers.get("authorization"))


async def accepted(
    request: Request, adapters: Adapters, provider: str, kind: str
) -> tuple[ProviderSettings, list[Mapping[str, Any]], str | None]:
    """(the provider's settings, the payload's records, its replay digest or None for HMAC)."""
    body = await read_body(request)
    config = adapters.provider_settings.get(provider)
    try:
        if config is None:
            raise WebhookAuthError("unknown_provider", "no such provider")
        authenticate(request, adapters, config, body)
    except WebhookAuthError as exc:
        log.warning("%s webhook for provider %r refused: %s", kind, provider[:50], exc.code)
        raise Problem(
            401, UNAUTHENTICATED, "the call could not be authenticated as this provider's"
        ) from exc
    body_format = config.receipt_format if kind == "receipts" else config.inbound_format
    items = documents(request, body, body_format, config.webhook_token_param)
    digest = None if config.webhook_auth == "hmac" else payload_digest(kind, items)
    return config, items, digest


def documents(
    request: Request, body: bytes, body_format: str, token_param: str | None = None
) -> list[Mapping[str, Any]]:
    """The payload as a list of records: the query string (a GET, or a POST without a body),
    a form, a JSON object or a JSON list of objects. The token parameter is not payload."""
    if request.method == "GET" or not body.strip():
        params = [
            (key, value)
            for key, value in parse_qsl(request.url.query, keep_blank_values=True)
            if key != token_param
        ]
        if not params:
            raise Problem(400, "malformed_body", "no fields in the query string or the body")
        return [dict(params)]
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        body_format = "form"
    elif media == "application/json" or media.endswith("+json"):
        body_format = "json"
    if body_format == "form":
        return [dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))]
    try:
        # The kernel's rules also when the provider sends JSON under another media type
        # (depth, UTF-8, NUL: a 422 naming the body); plain non-JSON stays a 400 here.
        parsed = parse_json_body(body)
    except InvalidJson as exc:
        raise Problem(400, "malformed_body", "the body is not JSON") from exc
    items = parsed if isinstance(parsed, list) else [parsed]
    if not items or not all(isinstance(item, Mapping) for item in items):
        raise Problem(400, "malformed_body", "expected a JSON object or a list of objects")
    return items


def text_field(document: Mapping[str, Any], path: str, index: int, many: bool) -> str:
    value = dotted(document, path)
    if value is None or isinstance(value, dict | list) or str(value) == "":
        name = f"{index}.{path}" if many else path
        raise Problem(422, "validation_failed", errors=[field_error(name, "missing", "required")])
    return str(value)


def receipts_in(
    config: ProviderSettings, items: Sequence[Mapping[str, Any]]
) -> list[ProviderReceipt]:
    """The receipts in a payload, in our words (a word the settings do not map is kept as None)."""
    many = len(items) > 1
    parsed = []
    for index, item in enumerate(items):
        provider_id = text_field(item, config.receipt_id_field, index, many)
        status = text_field(item, config.receipt_status_field, index, many)
        parsed.append(
            ProviderReceipt(provider_id, status[:50], config.receipt_statuses.get(status))
        )
    return parsed


@dataclass(frozen=True, slots=True)
class InboundText:
    sender: str
    text: str
    provider_message_id: str | None


def inbound_in(config: ProviderSettings, items: Sequence[Mapping[str, Any]]) -> InboundText:
    """The one inbound text of a payload."""
    if len(items) != 1:
        raise Problem(400, "malformed_body", "one inbound message per call")
    item = items[0]
    sender = text_field(item, config.inbound_from_field, 0, False)
    text_value = dotted(item, config.inbound_text_field)
    text = "" if text_value is None else str(text_value)
    provider_id = None
    if config.inbound_id_field:
        found = dotted(item, config.inbound_id_field)
        provider_id = None if found in (None, "") else str(found)[:200]
    return InboundText(sender, text, provider_id)
