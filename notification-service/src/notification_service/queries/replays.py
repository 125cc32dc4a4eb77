"""Webhook payload digests already acted on (``webhook_replays``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.models import WebhookReplay
from notification_service.queries.rows import dialect_of, insert_rows, table_of

REPLAYS = table_of(WebhookReplay)


async def insert(
    session: AsyncSession,
    *,
    provider: str,
    digest: str,
    received_at: datetime,
    inbound_id: uuid.UUID | None,
) -> bool:
    """Store the digest; False when it is stored already."""
    row: dict[str, Any] = {
        "provider": provider,
        "digest": digest,
        "received_at": received_at,
        "inbound_id": inbound_id,
    }
    inserted = await insert_rows(session, REPLAYS, [row], ignore_conflicts=("provider", "digest"))
    return inserted == 1


async def locked(
    session: AsyncSession, *, provider: str, digest: str
) -> Row[datetime, uuid.UUID | None] | None:
    """``(received_at, inbound_id)`` of a stored digest, locked on PostgreSQL."""
    query = select(WebhookReplay.received_at, WebhookReplay.inbound_id).where(
        WebhookReplay.provider == provider, WebhookReplay.digest == digest
    )
    if dialect_of(session) == "postgresql":
        query = query.with_for_update()
    return (await session.execute(query)).one_or_none()


async def retake(
    session: AsyncSession,
    *,
    provider: str,
    digest: str,
    received_at: datetime,
    inbound_id: uuid.UUID | None,
) -> None:
    await session.execute(
        update(WebhookReplay)
        .where(WebhookReplay.provider == provider, WebhookReplay.digest == digest)
        .values(received_at=received_at, inbound_id=inbound_id)
        .execution_options(synchronize_session=False)
    )


async def purge(session: AsyncSession, *, received_before: datetime) -> int:
    """Forget digests received at or before ``received_before``: how many."""
    result = await session.execute(
        delete(WebhookReplay)
        .where(WebhookReplay.received_at <= received_before)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
