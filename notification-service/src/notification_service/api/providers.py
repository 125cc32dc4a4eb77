"""Webhooks the SMS providers call: delivery receipts and inbound messages.

Authenticated per provider by an HMAC-SHA256 signature over ``<timestamp>.<raw
body>`` with the provider's ``webhook_secret`` (see ``domain/signatures``), not
by a bearer token. Field names and status words come from the provider's settings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request

from mahaliyat.problems import Problem, field_error
from notification_service.api.deps import NotificationsDep
from notification_service.api.sms import PROBLEMS
from notification_service.domain.signatures import WebhookAuthError, verify
from notification_service.providers.base import ProviderReceipt
from notification_service.providers.http import dotted
from notification_service.schemas import InboundResultOut, ReceiptResult, ReceiptResults
from notification_service.service import Notifications
from notification_service.settings import ProviderSettings

router = APIRouter(tags=["provider webhooks"])
MAX_BODY = 256 * 1024


async def authenticated(
    request: Request, notifications: Notifications, provider: str
) -> tuple[ProviderSettings, bytes]:
    config = notifications.provider_settings.get(provider)
    if config is None:
        raise Problem(404, "unknown_provider")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise Problem(413, "payload_too_large")
    try:
        verify(
            config.webhook_secret.get_secret_value(),
            timestamp=request.headers.get("x-mahaliyat-timestamp"),
            signatures=request.headers.get("x-mahaliyat-signature"),
            body=body,
            now=notifications.clock(),
            tolerance_seconds=notifications.settings.webhook_tolerance_seconds,
        )
    except WebhookAuthError as exc:
        raise Problem(401, exc.code, str(exc)) from exc
    return config, body


def documents(body: bytes, body_format: str) -> list[Mapping[str, Any]]:
    """The body as a list of records: a JSON object, a JSON list of objects, or a form."""
    if body_format == "form":
        return [dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))]
    try:
        parsed = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
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


@router.post(
    "/providers/{provider}/receipts",
    response_model=ReceiptResults,
    summary="Delivery receipts from a provider (signed; replays change nothing)",
    responses=PROBLEMS,
)
async def receipts(
    provider: str, request: Request, notifications: NotificationsDep
) -> ReceiptResults:
    config, body = await authenticated(request, notifications, provider)
    items = documents(body, config.receipt_format)
    many = len(items) > 1
    parsed = []
    for index, item in enumerate(items):
        provider_id = text_field(item, config.receipt_id_field, index, many)
        status = text_field(item, config.receipt_status_field, index, many)
        parsed.append(
            ProviderReceipt(provider_id, status[:50], config.receipt_statuses.get(status))
        )
    async with notifications.database.unit_of_work() as uow:
        answers = await notifications.receipts.apply(uow.session, provider, parsed)
    return ReceiptResults(
        receipts=[
            ReceiptResult(
                provider_message_id=a.provider_message_id, message_id=a.message_id, state=a.state
            )
            for a in answers
        ]
    )


@router.post(
    "/providers/{provider}/inbound",
    response_model=InboundResultOut,
    summary="A text a citizen sent (signed); answered by SMS with the application's status",
    responses=PROBLEMS,
)
async def inbound(
    provider: str, request: Request, notifications: NotificationsDep
) -> InboundResultOut:
    config, body = await authenticated(request, notifications, provider)
    items = documents(body, config.inbound_format)
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
    result = await notifications.inbound.receive(
        provider=provider, provider_message_id=provider_id, sender=sender, text=text
    )
    return InboundResultOut(
        inbound_id=result.inbound_id,
        outcome=result.outcome,
        reply_message_id=result.reply_message_id,
        duplicate=result.duplicate,
    )
