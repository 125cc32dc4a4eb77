"""Status inquiry by SMS: a citizen texts a tracking number and gets the status back.

Never an error to the citizen: no readable number → how to write one; a number
request-service does not know, or one registered to another phone → the *same*
answer in the language of the citizen's own text (answering "not yours" in the
application's language would tell a stranger something); request-service down
→ try again shortly. Replies go at any hour. A sender past
``per_sender_per_hour`` texts in the last hour gets no reply at all; a provider
re-sending the same inbound message gets nothing twice: recognised by the
provider's id for it, or — for token and basic-auth webhooks, which carry no
timestamp — by the payload's digest within the replay window.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.identifiers import InvalidIdentifier, parse_mobile, same_mobile
from mahaliyat.ids import new_id
from notification_service.adapters import Adapters
from notification_service.domain.encoding import MessageTooLong
from notification_service.domain.states import application_state_name
from notification_service.domain.templates import TemplateError
from notification_service.domain.tracking import TrackingNumber, extract, language_of
from notification_service.domain.values import localised
from notification_service.models import InboundSms
from notification_service.providers.inquiry import InquiryUnavailable
from notification_service.queries import inbound
from notification_service.queries.messages import insert_message
from notification_service.services import replays
from notification_service.services.compose import Draft

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InboundResult:
    inbound_id: uuid.UUID
    outcome: str
    reply_message_id: uuid.UUID | None
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class _Reply:
    outcome: str
    key: str
    language: str
    values: dict[str, str]
    tracking_number: TrackingNumber | None


async def receive(
    adapters: Adapters,
    *,
    provider: str,
    provider_message_id: str | None,
    sender: str,
    text: str,
    replay_digest: str | None = None,
) -> InboundResult:
    """Answer one inbound text. ``replay_digest``: the payload's, when the webhook had
    no timestamp to refuse a replay with.

    Two transactions with the inquiry between them: the text is recorded (and a
    duplicate recognised) before request-service is asked, the reply queued after.
    """
    database = adapters.database
    try:
        async with database.unit_of_work() as uow:
            received = await _store(
                uow.session, adapters, provider, provider_message_id, sender, text, replay_digest
            )
    except IntegrityError:  # the same message, delivered twice at the same moment
        received = None
    if received is None or isinstance(received, InboundResult):
        return received or await _existing(adapters, provider, provider_message_id)
    inbound_id, mobile = received
    reply = await _answer(adapters, text, mobile)
    async with database.unit_of_work() as uow:
        reply_id = await _queue(uow.session, adapters, inbound_id, mobile, reply)
        row = await inbound.get(uow.session, inbound_id)
        assert row is not None
        row.outcome = reply.outcome
        row.tracking_number = str(reply.tracking_number) if reply.tracking_number else None
        row.reply_message_id = reply_id
    if reply_id is not None:
        adapters.wake()
    return InboundResult(inbound_id, reply.outcome, reply_id)


async def _store(
    session: AsyncSession,
    adapters: Adapters,
    provider: str,
    provider_message_id: str | None,
    sender: str,
    text: str,
    replay_digest: str | None,
) -> InboundResult | tuple[uuid.UUID, str] | None:
    """Record the text; a result when it needs no answer, else (id, the sender's E.164)."""
    now = adapters.now()
    inbound_id = new_id()
    try:
        mobile: str | None = parse_mobile(sender)
    except InvalidIdentifier:
        mobile = None
    if provider_message_id:
        seen = await _find(session, provider, provider_message_id)
        if seen is not None:
            return seen
    if replay_digest is not None:
        replayed = await replays.claim(
            session,
            adapters,
            provider=provider,
            digest=replay_digest,
            now=now,
            inbound_id=inbound_id,
        )
        if replayed is not None:
            log.info("inbound SMS webhook replayed; not answered again")
            return await _replayed(session, replayed.inbound_id)
    who = mobile or sender[:40]
    recent = await inbound.count_from(session, who, since=now - timedelta(hours=1))
    outcome = None
    if mobile is None:
        outcome = "bad_sender"  # not a mobile we could answer
    elif recent >= adapters.settings.inbound_per_sender_per_hour:
        outcome = "limited"
    row = InboundSms(
        id=inbound_id,
        provider=provider,
        provider_message_id=provider_message_id or None,
        sender=who,
        text=text[:2000],
        received_at=now,
        outcome=outcome,
    )
    await inbound.add(session, row)
    if outcome is not None or mobile is None:
        log.info("inbound SMS %s not answered: %s", row.id, outcome)
        return InboundResult(row.id, outcome or "bad_sender", None)
    return row.id, mobile


async def _existing(
    adapters: Adapters, provider: str, provider_message_id: str | None
) -> InboundResult:
    async with adapters.database.read() as session:
        found = await _find(session, provider, provider_message_id) if provider_message_id else None
    if found is None:
        raise RuntimeError("an inbound message conflicted but cannot be found")
    return found


async def _replayed(session: AsyncSession, inbound_id: uuid.UUID | None) -> InboundResult:
    """The first answer to a replayed payload."""
    row = await inbound.get(session, inbound_id) if inbound_id is not None else None
    if row is None:  # only if the inbound row was removed since
        return InboundResult(inbound_id or new_id(), "received", None, True)
    return InboundResult(row.id, row.outcome or "received", row.reply_message_id, True)


async def _find(
    session: AsyncSession, provider: str, provider_message_id: str
) -> InboundResult | None:
    row = await inbound.by_provider_id(session, provider, provider_message_id)
    if row is None:
        return None
    return InboundResult(row.id, row.outcome or "received", row.reply_message_id, True)


async def _answer(adapters: Adapters, text: str, mobile: str) -> _Reply:
    guessed = language_of(text)
    found = extract(text)
    if found.number is None:
        return _Reply("invalid", "inbound.reply.invalid", guessed, {}, None)
    number = found.number
    try:
        status = await adapters.inquiry.lookup(str(number))
    except InquiryUnavailable as exc:
        log.warning("status inquiry unavailable: %s", exc)
        values = {"tracking_number": str(number)}
        return _Reply("unavailable", "inbound.reply.unavailable", guessed, values, number)
    if status is None or not same_mobile(status.applicant_phone, mobile):
        # Unknown and not-yours look the same from outside, language included.
        values = {"tracking_number": str(number)}
        return _Reply("unknown", "inbound.reply.unknown", guessed, values, number)
    language = status.language
    values = {
        "tracking_number": str(number),
        "service_name": localised(status.service_name, language) or "",
        "state": status.state,
        "state_name": application_state_name(status.state, language),
        "next_step": localised(status.next_step, language) or "",
    }
    return _Reply("answered", "inbound.reply.status", language, values, number)


async def _queue(
    session: AsyncSession, adapters: Adapters, inbound_id: uuid.UUID, mobile: str, reply: _Reply
) -> uuid.UUID | None:
    template = await adapters.templates.find(session, [reply.key], reply.language)
    if template is None:
        log.error("no template %s: inbound SMS %s gets no reply", reply.key, inbound_id)
        return None
    draft = Draft(
        kind="reply",
        recipient=mobile,
        language=template.language,
        template=template,
        values=reply.values,
        reference=str(reply.tracking_number) if reply.tracking_number else f"inbound:{inbound_id}",
    )
    try:
        row: dict[str, Any] = adapters.composer.compose(draft, adapters.now())
    except (TemplateError, MessageTooLong, InvalidIdentifier) as exc:
        log.error("reply to inbound SMS %s cannot be composed: %s", inbound_id, exc)
        return None
    await insert_message(session, row)
    reply_id: uuid.UUID = row["id"]
    return reply_id
