"""Sending an SMS from a template, and following messages."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.problems import PROBLEM_JSON, Problem, field_error
from mahaliyat.web import Session, limiting
from notification_service.api.deps import NotificationsDep, caller, may_see
from notification_service.domain.encoding import MessageTooLong
from notification_service.domain.phones import InvalidPhone
from notification_service.domain.templates import (
    PLATFORM_ONLY_PREFIXES,
    MissingValues,
    TemplateError,
    UnusedValues,
)
from notification_service.events import after_commit
from notification_service.idempotency import Replay, request_digest
from notification_service.messages import Draft, get_message, insert_message, messages_by_reference
from notification_service.schemas import Message, MessageList, SendSms

router = APIRouter(tags=["sms"])
SEND_SCOPE = "notifications:send"
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"content": {PROBLEM_JSON: {}}} for status in (401, 403, 404, 409, 422)
}


@router.post(
    "/sms",
    status_code=201,
    response_model=Message,
    summary="Send an SMS from a template (partners with scope notifications:send)",
    responses=PROBLEMS,
)
async def send_sms(
    request: SendSms,
    principal: CurrentPrincipal,
    session: Session,
    notifications: NotificationsDep,
    idempotency_key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            min_length=8,
            max_length=200,
            description="Required: a retry with the same key and body answers the first result.",
        ),
    ],
) -> JSONResponse:
    if not (principal.has_role("platform_admin") or principal.has_scope(SEND_SCOPE)):
        raise Problem(403, "insufficient_scope", f"sending needs scope {SEND_SCOPE}")
    now = notifications.clock()
    started = await notifications.idempotency.begin(
        session,
        principal=caller(principal),
        key=idempotency_key,
        digest=request_digest("POST", "/sms", request.model_dump(mode="json")),
        now=now,
    )
    if isinstance(started, Replay):
        return JSONResponse(started.body, status_code=started.status_code)
    if request.template.startswith(PLATFORM_ONLY_PREFIXES):
        raise Problem(
            422,
            "template_not_sendable",
            errors=[
                field_error("template", "reserved", "this template is sent by the platform only")
            ],
        )
    # Platform-worded texts ("your application was approved") would read as the platform's own
    # word: a partner sends only the templates configured for partners, whether or not the key
    # it named exists (no hint either way).
    partner_templates = notifications.settings.partner_templates
    if not principal.has_role("platform_admin") and request.template not in partner_templates:
        raise Problem(
            422,
            "template_not_sendable",
            errors=[
                field_error(
                    "template", "not_for_partners", "this template is not open to partner systems"
                )
            ],
        )
    template = await notifications.templates.find(session, [request.template], request.language)
    if template is None:
        raise Problem(
            422,
            "unknown_template",
            errors=[field_error("template", "unknown", "no active template with this key")],
        )
    draft = Draft(
        kind="api",
        recipient=request.to,
        language=template.language,
        template=template,
        values=request.values,
        reference=request.reference,
        created_by=caller(principal),
        unused="refuse",
    )
    try:
        row = notifications.composer.compose(draft, now)
    except InvalidPhone as exc:
        raise Problem(
            422,
            "invalid_phone",
            errors=[field_error("to", "invalid_phone", "an Egyptian mobile number is required")],
        ) from exc
    except MissingValues as exc:
        raise Problem(
            422,
            "missing_values",
            errors=[
                field_error(f"values.{n}", "missing", "the template needs it") for n in exc.names
            ],
        ) from exc
    except UnusedValues as exc:
        raise Problem(
            422,
            "unused_values",
            errors=[
                field_error(f"values.{n}", "unused", "the template has no such placeholder")
                for n in exc.names
            ],
        ) from exc
    except MessageTooLong as exc:
        raise Problem(
            422, "message_too_long", str(exc), errors=[field_error("values", "too_long", str(exc))]
        ) from exc
    except TemplateError as exc:
        raise Problem(
            422, "template_error", errors=[field_error("template", "invalid", str(exc))]
        ) from exc
    await insert_message(session, row)
    message = await get_message(session, row["id"])
    assert message is not None
    body = Message.of(message).model_dump(mode="json")
    notifications.idempotency.complete(started, 201, body)
    after_commit(session, notifications.sender.wake)
    return JSONResponse(body, status_code=201)


@router.get(
    "/messages/{message_id}",
    response_model=Message,
    summary="A message's state",
    responses=PROBLEMS,
)
async def get_one(message_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> Message:
    message = await get_message(session, message_id)
    if message is None or not may_see(principal, message):
        raise Problem(404, "not_found")
    return Message.of(message)


@router.get(
    "/messages",
    response_model=MessageList,
    summary="Messages sent for a reference (a tracking number, a challenge, your own reference)",
    responses=PROBLEMS,
)
async def by_reference(
    principal: CurrentPrincipal,
    session: Session,
    reference: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Depends(limiting(default=100, maximum=500))],
) -> MessageList:
    rows = await messages_by_reference(session, reference, limit=limit)
    return MessageList(items=[Message.of(r) for r in rows if may_see(principal, r)])
