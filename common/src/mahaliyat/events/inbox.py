"""Idempotent consumers: the event id is claimed in the inbox in the same transaction as the effect."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import Database, upsert, utcnow
from mahaliyat.events.bus import Handler
from mahaliyat.events.envelope import CloudEvent
from mahaliyat.events.tables import inbox

log = logging.getLogger(__name__)

SessionHandler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]

EVENTS_CONSUMED = Counter(
    "mahaliyat_events_consumed_total", "Events handled by consumers", ["consumer", "outcome"]
)


async def claim(session: AsyncSession, consumer: str, event: CloudEvent) -> bool:
    """Record that ``consumer`` handles ``event``; False when it already did (a duplicate)."""
    values = {
        "consumer": consumer,
        "event_id": event.id,
        "event_type": event.type,
        "processed_at": utcnow(),
    }
    result = await session.execute(upsert(session, inbox).values(**values).on_conflict_do_nothing())
    return bool(getattr(result, "rowcount", 0))


def idempotent(database: Database, consumer: str, handler: SessionHandler) -> Handler:
    """Wrap a handler so that its effects and the inbox row commit together, once per event."""

    async def handle(event: CloudEvent) -> None:
        async with database.unit_of_work() as uow:
            if not await claim(uow.session, consumer, event):
                EVENTS_CONSUMED.labels(consumer, "duplicate").inc()
                return
            await handler(uow.session, event)
        EVENTS_CONSUMED.labels(consumer, "handled").inc()

    return handle
