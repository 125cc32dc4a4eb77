"""Messages for the events this service reads: one message per event and template, never two.

How an event names its template, recipient and language: events.py.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import on_commit
from mahaliyat.events import CloudEvent, record
from mahaliyat.identifiers import InvalidIdentifier
from notification_service.adapters import Adapters
from notification_service.domain.encoding import MessageTooLong
from notification_service.domain.templates import TemplateError
from notification_service.domain.values import event_values
from notification_service.events import (
    FAILED,
    recipient_of,
    reference_of,
    sms_event,
    template_keys,
)
from notification_service.queries.messages import insert_message
from notification_service.seed.templates import OTP_KEY
from notification_service.services.compose import Draft, OtpSecret

log = logging.getLogger(__name__)


async def on_event(session: AsyncSession, adapters: Adapters, event: CloudEvent) -> None:
    """request.*, payment.*, licensing.* …: the template for the event, if there is one."""
    data = event.data
    phone, language = recipient_of(data)
    template = await adapters.templates.find(session, template_keys(event.type, data), language)
    if template is None:
        return
    if phone is None:
        log.warning("event %s (%s) names no recipient; no SMS", event.id, event.type)
        return
    jurisdiction = data.get("jurisdiction")
    draft = Draft(
        kind="event",
        recipient=phone,
        language=template.language,
        template=template,
        values=event_values(data, template.language),
        reference=reference_of(event),
        event_id=event.id,
        event_type=event.type,
        jurisdiction=jurisdiction if isinstance(jurisdiction, str) else None,
    )
    await _queue(session, adapters, draft)


async def on_otp(session: AsyncSession, adapters: Adapters, event: CloudEvent) -> None:
    """identity.otp.requested: the code stays encrypted until the moment it is sent."""
    data = event.data
    phone, language = recipient_of(data)
    template = await adapters.templates.find(session, [OTP_KEY], language)
    challenge = data.get("challenge_id")
    ciphertext = data.get("code_ciphertext")
    if template is None:
        raise LookupError(f"no template {OTP_KEY!r}: an OTP cannot be sent")
    expires_at = _moment(data.get("expires_at"))
    values = event_values(data, template.language)
    if expires_at is not None:
        minutes = max(1, -(-(expires_at - event.time) // timedelta(minutes=1)))
        values["expires_in_minutes"] = str(minutes)
    draft = Draft(
        kind="otp",
        recipient=phone or "",
        language=template.language,
        template=template,
        values=values,
        reference=str(challenge) if challenge else event.subject or str(event.id),
        event_id=event.id,
        event_type=event.type,
        otp=OtpSecret(str(ciphertext or ""), str(challenge or "")),
        expires_at=expires_at,
    )
    if not ciphertext or not challenge:
        await _store_failure(session, adapters, draft, "otp_incomplete", "no challenge or code")
        return
    await _queue(session, adapters, draft)


async def _queue(session: AsyncSession, adapters: Adapters, draft: Draft) -> None:
    now = adapters.now()
    try:
        row = adapters.composer.compose(draft, now)
    except InvalidIdentifier:
        await _store_failure(session, adapters, draft, "invalid_recipient", "not a mobile number")
        return
    except MessageTooLong as exc:
        await _store_failure(session, adapters, draft, "message_too_long", str(exc))
        return
    except TemplateError as exc:
        await _store_failure(session, adapters, draft, "template_render_failed", str(exc))
        return
    if await insert_message(session, row):
        on_commit(session, adapters.wake)
    else:
        log.info("event %s already has a %s message", draft.event_id, draft.template.key)


async def _store_failure(
    session: AsyncSession, adapters: Adapters, draft: Draft, code: str, detail: str
) -> None:
    log.error(
        "no SMS for event %s (%s): %s",
        draft.event_id,
        draft.template.key,
        code,
        extra={"detail": detail},
    )
    row = adapters.composer.failed(draft, adapters.now(), code, detail)
    if await insert_message(session, row):
        await record(session, sms_event(FAILED, row, time=row["final_at"]))


def _moment(raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
