"""Sending an SMS from a template (partners and admins), and following messages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import Principal
from mahaliyat.db import on_commit
from mahaliyat.identifiers import InvalidIdentifier
from mahaliyat.problems import Problem, field_error
from notification_service.adapters import Adapters
from notification_service.domain.encoding import MessageTooLong
from notification_service.domain.templates import (
    PLATFORM_ONLY_PREFIXES,
    MissingValues,
    TemplateError,
    UnusedValues,
)
from notification_service.queries.messages import get_message, insert_message, messages_by_reference
from notification_service.schemas import Message, SendSms
from notification_service.services.access import caller, may_see
from notification_service.services.compose import Draft

SEND_SCOPE = "notifications:send"


async def send(
    session: AsyncSession,
    adapters: Adapters,
    principal: Principal,
    request: SendSms,
) -> tuple[int, Any]:
    """Queue the SMS: (status, body). The endpoint makes it once per ``Idempotency-Key``."""
    if not (principal.has_role("platform_admin") or principal.has_scope(SEND_SCOPE)):
        raise Problem(403, "insufficient_scope", f"sending needs scope {SEND_SCOPE}")
    now = adapters.now()
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
    partner_templates = adapters.settings.partner_templates
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
    template = await adapters.templates.find(session, [request.template], request.language)
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
    row = _composed(adapters, draft, now)
    await insert_message(session, row)
    message = await get_message(session, row["id"])
    assert message is not None
    body = Message.of(message).model_dump(mode="json")
    on_commit(session, adapters.wake)
    return 201, body


def _composed(adapters: Adapters, draft: Draft, now: datetime) -> dict[str, Any]:
    """The message's row; what stops it is a 422 naming the field."""
    try:
        return adapters.composer.compose(draft, now)
    except InvalidIdentifier as exc:
        raise Problem(
            422,
            "validation_failed",
            errors=[field_error("to", exc.code, "an Egyptian mobile number is required")],
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


async def one(session: AsyncSession, principal: Principal, message_id: uuid.UUID) -> Message:
    """A message the caller may see; 404 for any other."""
    message = await get_message(session, message_id)
    if message is None or not may_see(principal, message):
        raise Problem(404, "not_found")
    return Message.of(message)


async def by_reference(
    session: AsyncSession, principal: Principal, reference: str, *, limit: int
) -> list[Message]:
    """The messages sent for a reference that the caller may see."""
    rows = await messages_by_reference(session, reference, limit=limit)
    return [Message.of(row) for row in rows if may_see(principal, row)]
