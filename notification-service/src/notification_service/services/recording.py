"""Recording what the providers made of a batch: attempts, new states, events, early receipts.

A message is written back only while the claim is still ours (a receipt or a
stale-claim recovery may have got there first). Every attempt carries its own
reference (``<message id>-<attempt>``). A receipt that arrived before its send was
recorded is applied now.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from prometheus_client import Counter as Metric
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.events import CloudEvent, record
from mahaliyat.ids import new_id
from notification_service.adapters import Adapters
from notification_service.domain.lifecycle import finish, retry_or_finish
from notification_service.domain.states import MessageState
from notification_service.events import FAILED, SENT, sms_event
from notification_service.providers.base import SendResult
from notification_service.queries import messages, receipts
from notification_service.queries.messages import AFTER_SEND
from notification_service.services import receipts as receipt_book
from notification_service.services.handover import Handed

MESSAGES_SENT = Metric("mahaliyat_sms_messages_total", "SMS hand-overs by outcome", ["outcome"])
# Column lengths (models.py): what a provider answers is cut to fit, never fails the record.
PROVIDER_ID_LENGTH, ERROR_CODE_LENGTH, ERROR_DETAIL_LENGTH = 200, 50, 500


async def record_handed(
    session: AsyncSession,
    adapters: Adapters,
    handed: Sequence[Handed],
    *,
    postgres: bool,
    with_attempts: bool = True,
) -> None:
    now = adapters.now()
    current = await messages.locked_messages(
        session, [h.message["id"] for h in handed], postgres=postgres
    )
    attempts: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    events: list[CloudEvent] = []
    sent: dict[str, list[str]] = {}
    for item in handed:
        claimed = item.message
        message = current.get(claimed["id"])
        for provider, result in item.outcome.tried:
            MESSAGES_SENT.labels(result.outcome).inc()
            if message is not None and with_attempts:  # (a purged message keeps none)
                attempts.append(_attempt_row(claimed, provider, result, item))
        if (
            message is None
            or message["state"] != MessageState.SENDING.value
            or message["claim_token"] != claimed["claim_token"]
        ):
            continue  # a receipt or a stale-claim recovery got there first
        event = _apply(adapters, message, item, now)
        changed.append(message)
        if event is not None:
            events.append(event)
        if (
            with_attempts
            and message["state"] == MessageState.SENT.value
            and message["provider_message_id"]
        ):
            sent.setdefault(message["provider"], []).append(message["provider_message_id"])
    await messages.insert_attempts(session, attempts)
    await messages.save_messages(session, changed, AFTER_SEND)
    if events:
        await record(session, *events)
    for provider, provider_ids in sent.items():
        waiting = await receipts.waiting_ids(session, provider, provider_ids)
        if waiting:
            await receipt_book.apply_pending(session, adapters, provider, waiting)


def _apply(
    adapters: Adapters, message: dict[str, Any], item: Handed, now: datetime
) -> CloudEvent | None:
    result = item.outcome.result
    if item.layout is not None:
        message["segments"] = item.layout.segments
        message["encoding"] = item.layout.encoding
        message["length"] = item.layout.units
    message["provider"] = item.outcome.provider if item.outcome.tried else None
    message["claim_token"] = None
    message["updated_at"] = now
    if result.outcome == "sent":
        message.update(
            state=MessageState.SENT.value,
            provider_message_id=fitted(result.provider_message_id, PROVIDER_ID_LENGTH),
            sent_at=now,
            next_attempt_at=None,
            error_code=None,
            error_detail=None,
        )
        return sms_event(SENT, message, time=now)
    message["error_code"] = fitted(result.error_code, ERROR_CODE_LENGTH)
    message["error_detail"] = fitted(result.error_detail, ERROR_DETAIL_LENGTH)
    if result.outcome == "permanent_failure":
        finish(message, MessageState.PERMANENT_FAILURE, now)
        return sms_event(FAILED, message, time=now)
    gave_up = retry_or_finish(
        message,
        MessageState(result.outcome),
        now,
        base_seconds=adapters.settings.retry_base_seconds,
        max_seconds=adapters.settings.retry_max_seconds,
    )
    return sms_event(FAILED, message, time=now) if gave_up else None


def fitted(text: str | None, length: int) -> str | None:
    """``text`` as it can be stored: without NUL characters (PostgreSQL refuses them), cut
    to ``length``; None when nothing is left."""
    if text is None:
        return None
    return text.replace("\x00", "")[:length] or None


def _attempt_row(
    message: dict[str, Any], provider: str, result: SendResult, item: Handed
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "message_id": message["id"],
        "number": message["attempts"],
        "provider": provider,
        "provider_message_id": fitted(result.provider_message_id, PROVIDER_ID_LENGTH),
        "outcome": result.outcome,
        "error_code": fitted(result.error_code, ERROR_CODE_LENGTH),
        "error_detail": fitted(result.error_detail, ERROR_DETAIL_LENGTH),
        "started_at": item.started_at,
        "finished_at": item.finished_at,
    }
