"""Delivery receipts: kept as received, applied once, never moving a message backwards.

A receipt is stored under (provider, provider's message id, status), so a replay
is recognised. It is applied when the attempt it names is known — the latest
attempt with that id, should the provider have used it twice; one that arrives
before the send was recorded waits and is applied when it is. A failure (temporary
or permanent) counts only for the message's latest attempt and only while the
message is not final; a delivery counts for any attempt, even after the message
was given up.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.events import CloudEvent, record
from mahaliyat.ids import new_id
from notification_service.domain.states import MessageState, ReceiptState, after_receipt
from notification_service.domain.timing import backoff
from notification_service.events import DELIVERED, FAILED, sms_event
from notification_service.models import SmsAttempt, SmsMessage, SmsReceipt
from notification_service.providers.base import ProviderReceipt
from notification_service.storage import insert_rows, table_of, update_by_id

MESSAGES = table_of(SmsMessage)
RECEIPTS = table_of(SmsReceipt)
MESSAGE_COLUMNS = tuple(MESSAGES.c)
# The columns a state change may write; every update carries all of them.
CHANGED = (
    "state",
    "deadline_at",
    "next_attempt_at",
    "final_at",
    "delivered_at",
    "error_code",
    "error_detail",
    "body_template",
    "otp_ciphertext",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class Owner:
    """The attempt a provider's id names: its message and the message's attempt number."""

    message_id: uuid.UUID
    attempt: int


@dataclass(frozen=True, slots=True)
class ReceiptAnswer:
    provider_message_id: str
    message_id: uuid.UUID | None  # None while the attempt it names is not known
    state: str | None


def finish(message: dict[str, Any], state: MessageState, now: datetime) -> None:
    """Make ``message`` final in ``state``; the OTP secret is no longer needed."""
    message["state"] = state.value
    message["next_attempt_at"] = None
    message["final_at"] = now
    message["body_template"] = None
    message["otp_ciphertext"] = None
    message["updated_at"] = now


def retry_or_finish(
    message: dict[str, Any],
    state: MessageState,
    now: datetime,
    *,
    base_seconds: float,
    max_seconds: float,
) -> bool:
    """Schedule the next attempt before the deadline, or give up. True when it gave up."""
    delay = backoff(max(1, message["attempts"]), base_seconds=base_seconds, max_seconds=max_seconds)
    retry_at = now + delay
    if retry_at < message["deadline_at"]:
        message["state"] = state.value
        message["next_attempt_at"] = retry_at
        message["updated_at"] = now
        return False
    finish(message, state, now)
    return True


async def locked_messages(
    session: AsyncSession, ids: Sequence[uuid.UUID], *, postgres: bool
) -> dict[uuid.UUID, dict[str, Any]]:
    if not ids:
        return {}
    query = select(*MESSAGE_COLUMNS).where(SmsMessage.id.in_(ids))
    if postgres:
        query = query.with_for_update()
    return {row.id: dict(row._mapping) for row in await session.execute(query)}


async def save_messages(
    session: AsyncSession, messages: Sequence[dict[str, Any]], columns: Sequence[str] = CHANGED
) -> None:
    """Write ``columns`` of each message back (by primary key, one batch)."""
    await update_by_id(session, MESSAGES, messages, columns)


async def owners_of(
    session: AsyncSession, provider: str, provider_ids: Sequence[str]
) -> dict[str, Owner]:
    """The latest recorded attempt for each of the provider's ids (ids a provider repeats
    — some number per day, some echo a reference — name the most recent send)."""
    rows = await session.execute(
        select(SmsAttempt.provider_message_id, SmsAttempt.message_id, SmsAttempt.number)
        .where(SmsAttempt.provider == provider, SmsAttempt.provider_message_id.in_(provider_ids))
        .order_by(SmsAttempt.started_at, SmsAttempt.number, SmsAttempt.id)
    )
    # Later rows replace earlier ones: the latest attempt wins.
    return {row.provider_message_id: Owner(row.message_id, row.number) for row in rows}


class ReceiptBook:
    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        retry_base_seconds: float,
        retry_max_seconds: float,
    ) -> None:
        self.clock = clock
        self.retry_base_seconds = retry_base_seconds
        self.retry_max_seconds = retry_max_seconds

    async def apply(
        self, session: AsyncSession, provider: str, receipts: Sequence[ProviderReceipt]
    ) -> list[ReceiptAnswer]:
        if not receipts:
            return []
        now = self.clock()
        rows = {
            (r.provider_message_id, r.status): {
                "id": new_id(),
                "provider": provider,
                "provider_message_id": r.provider_message_id,
                "status": r.status,
                "state": r.state,
                "received_at": now,
            }
            for r in receipts
        }
        await insert_rows(session, RECEIPTS, list(rows.values()), ignore_conflicts=())
        return await self.apply_pending(
            session, provider, [r.provider_message_id for r in receipts]
        )

    async def apply_pending(
        self, session: AsyncSession, provider: str, provider_ids: Sequence[str]
    ) -> list[ReceiptAnswer]:
        """Apply every stored, unapplied receipt for these ids whose attempt is known."""
        if not provider_ids:
            return []
        now = self.clock()
        wanted = list(dict.fromkeys(provider_ids))
        owners = await owners_of(session, provider, wanted)
        postgres = session.get_bind().dialect.name == "postgresql"
        messages = await locked_messages(
            session, list({owner.message_id for owner in owners.values()}), postgres=postgres
        )
        pending = (
            await session.execute(
                select(SmsReceipt.id, SmsReceipt.provider_message_id, SmsReceipt.state)
                .where(
                    SmsReceipt.provider == provider,
                    SmsReceipt.provider_message_id.in_(wanted),
                    SmsReceipt.applied_at.is_(None),
                )
                .order_by(SmsReceipt.received_at, SmsReceipt.id)
            )
        ).all()
        changed: dict[uuid.UUID, dict[str, Any]] = {}
        events: list[CloudEvent] = []
        applied: list[dict[str, Any]] = []
        for receipt in pending:
            owner = owners.get(receipt.provider_message_id)
            if owner is None or owner.message_id not in messages:
                continue  # the send is not recorded yet; applied when it is
            applied.append({"id": receipt.id, "message_id": owner.message_id, "applied_at": now})
            message = messages[owner.message_id]
            moved, event = self._transition(message, owner, receipt.state, now)
            if moved:
                changed[owner.message_id] = message
            if event is not None:
                events.append(event)
        await save_messages(session, list(changed.values()))
        await update_by_id(session, RECEIPTS, applied, ("message_id", "applied_at"))
        if events:
            await record(session, *events)
        return self._answers(wanted, owners, messages)

    async def status(
        self, session: AsyncSession, provider: str, provider_ids: Sequence[str]
    ) -> list[ReceiptAnswer]:
        """What ``apply`` would answer, changing nothing (for a replayed webhook)."""
        wanted = list(dict.fromkeys(provider_ids))
        owners = await owners_of(session, provider, wanted)
        ids = list({owner.message_id for owner in owners.values()})
        messages = {
            row.id: dict(row._mapping)
            for row in await session.execute(
                select(SmsMessage.id, SmsMessage.state).where(SmsMessage.id.in_(ids))
            )
        }
        return self._answers(wanted, owners, messages)

    @staticmethod
    def _answers(
        wanted: Sequence[str],
        owners: dict[str, Owner],
        messages: dict[uuid.UUID, dict[str, Any]],
    ) -> list[ReceiptAnswer]:
        answers = []
        for provider_id in wanted:
            owner = owners.get(provider_id)
            found = messages.get(owner.message_id) if owner is not None else None
            answers.append(
                ReceiptAnswer(
                    provider_id,
                    owner.message_id if owner is not None else None,
                    found["state"] if found else None,
                )
            )
        return answers

    def _transition(
        self,
        message: dict[str, Any],
        owner: Owner,
        state: str | None,
        now: datetime,
    ) -> tuple[bool, CloudEvent | None]:
        """Move ``message`` as the receipt says: (whether it moved, the event to publish)."""
        if state not in ("delivered", "temporary_failure", "permanent_failure"):
            return False, None
        receipt_state: ReceiptState = state  # type: ignore[assignment]
        target = after_receipt(
            MessageState(message["state"]),
            receipt_state,
            final=message["final_at"] is not None,
            latest=owner.attempt == message["attempts"],
        )
        if target is None:
            return False, None
        if target == MessageState.DELIVERED:
            finish(message, target, now)
            message["delivered_at"] = now
            message["error_code"] = message["error_detail"] = None
            return True, sms_event(DELIVERED, message, time=now)
        message["error_code"] = f"receipt_{state}"
        message["error_detail"] = None
        if target == MessageState.PERMANENT_FAILURE:
            finish(message, target, now)
            return True, sms_event(FAILED, message, time=now)
        gave_up = retry_or_finish(
            message,
            target,
            now,
            base_seconds=self.retry_base_seconds,
            max_seconds=self.retry_max_seconds,
        )
        return True, sms_event(FAILED, message, time=now) if gave_up else None
