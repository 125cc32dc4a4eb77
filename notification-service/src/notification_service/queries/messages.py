"""Messages and their attempts: storing, claiming, writing back, counting what a recipient got.

Messages travel as plain dicts of their columns (``MESSAGE_COLUMNS``): a batch is read
and written in one statement each, cheaper than ORM objects per row.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.domain.states import DUE_STATES, MessageState
from notification_service.models import SmsAttempt, SmsMessage
from notification_service.queries.rows import insert_rows, table_of, update_by_id

MESSAGES = table_of(SmsMessage)
ATTEMPTS = table_of(SmsAttempt)
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
# What recording a hand-over writes.
AFTER_SEND = (
    *CHANGED,
    "provider",
    "provider_message_id",
    "sent_at",
    "segments",
    "encoding",
    "length",
    "claim_token",
)


@dataclass(frozen=True, slots=True)
class Owner:
    """The attempt a provider's id names: its message and the message's attempt number."""

    message_id: uuid.UUID
    attempt: int


async def insert_message(session: AsyncSession, row: Mapping[str, Any]) -> bool:
    """Store a message; False when this event already has one for this template."""
    present = {name: value for name, value in row.items() if value is not None}  # fewer binds
    inserted = await insert_rows(
        session, MESSAGES, [present], ignore_conflicts=("event_id", "template_key")
    )
    return inserted == 1


async def get_message(session: AsyncSession, message_id: uuid.UUID) -> SmsMessage | None:
    return await session.get(SmsMessage, message_id)


async def messages_by_reference(
    session: AsyncSession, reference: str, *, limit: int
) -> list[SmsMessage]:
    rows = await session.scalars(
        select(SmsMessage)
        .where(SmsMessage.reference == reference)
        .order_by(SmsMessage.created_at, SmsMessage.id)
        .limit(limit)
    )
    return list(rows)


async def due(
    session: AsyncSession, now: datetime, *, limit: int, postgres: bool
) -> list[dict[str, Any]]:
    """Up to ``limit`` messages due now, OTPs first, locked (skipping locked rows on PostgreSQL)."""
    query = (
        select(*MESSAGE_COLUMNS)
        .where(
            SmsMessage.state.in_([s.value for s in DUE_STATES]),
            SmsMessage.next_attempt_at.is_not(None),
            SmsMessage.next_attempt_at <= now,
        )
        .order_by(SmsMessage.priority, SmsMessage.next_attempt_at, SmsMessage.id)
        .limit(limit)
    )
    if postgres:
        query = query.with_for_update(skip_locked=True)
    return [dict(row._mapping) for row in await session.execute(query)]


async def mark_sending(
    session: AsyncSession, ids: Sequence[uuid.UUID], *, token: uuid.UUID, now: datetime
) -> set[uuid.UUID]:
    """Claim the messages still due among ``ids`` under ``token``: the ids taken."""
    result = await session.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id.in_(ids), MESSAGES.c.state.in_([s.value for s in DUE_STATES]))
        .values(
            state=MessageState.SENDING.value,
            claim_token=token,
            claimed_at=now,
            attempts=MESSAGES.c.attempts + 1,
            updated_at=now,
        )
        .returning(MESSAGES.c.id)
    )
    return set(result.scalars())


async def traffic(
    session: AsyncSession, recipients: set[str], since: datetime
) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """What each recipient was handed since ``since``: in all, and per identical body.

    Every hand-over counts, a resend too (the phone gets each one). A message handed
    over since then has its ``sent_at`` after it, which keeps the join small.
    """
    rows = await session.execute(
        select(SmsMessage.recipient, SmsMessage.body_digest, func.count())
        .select_from(SmsMessage)
        .join(SmsAttempt, SmsAttempt.message_id == SmsMessage.id)
        .where(
            SmsMessage.recipient.in_(recipients),
            SmsMessage.sent_at >= since,
            SmsAttempt.outcome == "sent",
            SmsAttempt.finished_at >= since,
        )
        .group_by(SmsMessage.recipient, SmsMessage.body_digest)
    )
    totals: Counter[str] = Counter()
    identical: Counter[tuple[str, str]] = Counter()
    for recipient, body, count in rows:
        totals[recipient] += count
        identical[(recipient, body)] += count
    return totals, identical


async def locked_messages(
    session: AsyncSession, ids: Sequence[uuid.UUID], *, postgres: bool
) -> dict[uuid.UUID, dict[str, Any]]:
    if not ids:
        return {}
    query = select(*MESSAGE_COLUMNS).where(SmsMessage.id.in_(ids))
    if postgres:
        query = query.with_for_update()
    return {row.id: dict(row._mapping) for row in await session.execute(query)}


async def states_of(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """``{id, state}`` of each message, unlocked."""
    rows = await session.execute(
        select(SmsMessage.id, SmsMessage.state).where(SmsMessage.id.in_(ids))
    )
    return {row.id: dict(row._mapping) for row in rows}


async def save_messages(
    session: AsyncSession, messages: Sequence[dict[str, Any]], columns: Sequence[str] = CHANGED
) -> None:
    """Write ``columns`` of each message back (by primary key, one batch)."""
    await update_by_id(session, MESSAGES, messages, columns)


async def release_stale_claims(
    session: AsyncSession, *, claimed_before: datetime, now: datetime
) -> int:
    """Claims older than ``claimed_before`` become technical failures due now: how many."""
    result = await session.execute(
        update(SmsMessage)
        .where(
            SmsMessage.state == MessageState.SENDING.value,
            SmsMessage.claimed_at < claimed_before,
        )
        .values(
            state=MessageState.TECHNICAL_FAILURE.value,
            next_attempt_at=now,
            claim_token=None,
            error_code="claim_lost",
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def unconfirmed(
    session: AsyncSession, *, sent_before: datetime, limit: int, postgres: bool
) -> list[dict[str, Any]]:
    """Messages ``sent`` before ``sent_before``, not final, oldest first, locked."""
    query = (
        select(*MESSAGE_COLUMNS)
        .where(
            SmsMessage.state == MessageState.SENT.value,
            SmsMessage.final_at.is_(None),
            SmsMessage.sent_at <= sent_before,
        )
        .order_by(SmsMessage.sent_at, SmsMessage.id)
        .limit(limit)
    )
    if postgres:
        query = query.with_for_update(skip_locked=True)
    return [dict(row._mapping) for row in await session.execute(query)]


async def insert_attempts(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    await insert_rows(session, ATTEMPTS, rows)


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
