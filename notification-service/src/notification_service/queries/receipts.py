"""Delivery receipts as received: stored once per (provider, provider's id, status), applied once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.models import SmsReceipt
from notification_service.queries.rows import insert_rows, table_of, update_by_id

RECEIPTS = table_of(SmsReceipt)


async def insert_receipts(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Store receipts; one already stored (a replay) is skipped."""
    await insert_rows(session, RECEIPTS, rows, ignore_conflicts=())


async def pending(
    session: AsyncSession, provider: str, provider_ids: Sequence[str]
) -> Sequence[Row[uuid.UUID, str, str | None]]:
    """``(id, provider_message_id, state)`` of the unapplied receipts for these ids, oldest first."""
    result = await session.execute(
        select(SmsReceipt.id, SmsReceipt.provider_message_id, SmsReceipt.state)
        .where(
            SmsReceipt.provider == provider,
            SmsReceipt.provider_message_id.in_(provider_ids),
            SmsReceipt.applied_at.is_(None),
        )
        .order_by(SmsReceipt.received_at, SmsReceipt.id)
    )
    return result.all()


async def waiting_ids(
    session: AsyncSession, provider: str, provider_ids: Sequence[str]
) -> list[str]:
    """Those of the provider's ids that have a receipt waiting to be applied."""
    found = await session.scalars(
        select(SmsReceipt.provider_message_id).where(
            SmsReceipt.provider == provider,
            SmsReceipt.provider_message_id.in_(provider_ids),
            SmsReceipt.applied_at.is_(None),
        )
    )
    return list(found)


async def mark_applied(session: AsyncSession, applied: Sequence[Mapping[str, Any]]) -> None:
    """``applied``: ``{id, message_id, applied_at}`` per receipt."""
    await update_by_id(session, RECEIPTS, applied, ("message_id", "applied_at"))
