"""The events this service reads (routed to templates) and the ones it publishes.

Reading: an event's template key is its type, made more specific by a variant
taken from ``data.to`` (status changes) or ``data.outcome`` (completions):
``request.status_changed.approved`` is tried before ``request.status_changed``.
The recipient is ``data.applicant.phone`` or ``data.phone``; the language
``data.applicant.language`` or ``data.language`` (Arabic by default). A new
event type therefore needs a template (and its pattern in ``sms_event_patterns``),
not code. An event with no template sends nothing.

Publishing: ``notification.sms.sent`` / ``.delivered`` / ``.failed`` with
``message_id, reference, segments, encoding, provider, state`` (and the
template key, attempts and, for failures, the error code).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session as SyncSession

from mahaliyat.events import CloudEvent, record
from mahaliyat.identifiers import InvalidIdentifier
from notification_service.domain.encoding import MessageTooLong
from notification_service.domain.templates import TemplateError
from notification_service.domain.values import event_values
from notification_service.messages import Composer, Draft, OtpSecret, insert_message
from notification_service.seed.templates import OTP_KEY
from notification_service.template_store import TemplateStore

log = logging.getLogger(__name__)

SOURCE = "/notification"
VARIANT_FIELDS = ("to", "outcome")
SENT, DELIVERED, FAILED = (
    "notification.sms.sent",
    "notification.sms.delivered",
    "notification.sms.failed",
)


def template_keys(event_type: str, data: Mapping[str, Any]) -> list[str]:
    """Template keys for an event, most specific first."""
    keys = [
        f"{event_type}.{data[field]}"
        for field in VARIANT_FIELDS
        if isinstance(data.get(field), str) and data[field]
    ]
    return [*keys, event_type]


def recipient_of(data: Mapping[str, Any]) -> tuple[str | None, str]:
    applicant = data.get("applicant")
    person: Mapping[str, Any] = applicant if isinstance(applicant, Mapping) else data
    phone = person.get("phone") or data.get("phone")
    language = person.get("language") or data.get("language")
    return (
        phone if isinstance(phone, str) and phone else None,
        language if language in ("ar", "en") else "ar",
    )


def reference_of(event: CloudEvent) -> str:
    tracking = event.data.get("tracking_number")
    if isinstance(tracking, str) and tracking:
        return tracking
    return event.subject or str(event.id)


def sms_event(
    event_type: str, message: Mapping[str, Any], *, time: datetime | None = None
) -> CloudEvent:
    data = {
        "message_id": str(message["id"]),
        "reference": message.get("reference"),
        "segments": message["segments"],
        "encoding": message["encoding"],
        "provider": message.get("provider"),
        "state": message["state"],
        "template_key": message.get("template_key"),
        "attempts": message.get("attempts", 0),
    }
    if event_type == FAILED:
        data["error_code"] = message.get("error_code")
    extra: dict[str, Any] = {"time": time} if time is not None else {}
    return CloudEvent(
        source=SOURCE, type=event_type, subject=str(message["id"]), data=data, **extra
    )


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    def _run(_session: SyncSession) -> None:
        callback()

    sa_event.listen(session.sync_session, "after_commit", _run, once=True)


class EventMessages:
    """The consumers' handlers: one message per event and template, never two."""

    def __init__(
        self,
        *,
        templates: TemplateStore,
        composer: Composer,
        clock: Callable[[], datetime],
        wake: Callable[[], None],
    ) -> None:
        self.templates = templates
        self.composer = composer
        self.clock = clock
        self.wake = wake

    async def on_event(self, session: AsyncSession, event: CloudEvent) -> None:
        """request.*, payment.*, licensing.* …: the template for the event, if there is one."""
        data = event.data
        phone, language = recipient_of(data)
        template = await self.templates.find(session, template_keys(event.type, data), language)
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
        await self._queue(session, draft)

    async def on_otp(self, session: AsyncSession, event: CloudEvent) -> None:
        """identity.otp.requested: the code stays encrypted until the moment it is sent."""
        data = event.data
        phone, language = recipient_of(data)
        template = await self.templates.find(session, [OTP_KEY], language)
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
            await self._store_failure(session, draft, "otp_incomplete", "no challenge or code")
            return
        await self._queue(session, draft)

    async def _queue(self, session: AsyncSession, draft: Draft) -> None:
        now = self.clock()
        try:
            row = self.composer.compose(draft, now)
        except InvalidIdentifier:
            await self._store_failure(session, draft, "invalid_recipient", "not a mobile number")
            return
        except MessageTooLong as exc:
            await self._store_failure(session, draft, "message_too_long", str(exc))
            return
        except TemplateError as exc:
            await self._store_failure(session, draft, "template_render_failed", str(exc))
            return
        if await insert_message(session, row):
            after_commit(session, self.wake)
        else:
            log.info("event %s already has a %s message", draft.event_id, draft.template.key)

    async def _store_failure(
        self, session: AsyncSession, draft: Draft, code: str, detail: str
    ) -> None:
        log.error(
            "no SMS for event %s (%s): %s",
            draft.event_id,
            draft.template.key,
            code,
            extra={"detail": detail},
        )
        row = self.composer.failed(draft, self.clock(), code, detail)
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
