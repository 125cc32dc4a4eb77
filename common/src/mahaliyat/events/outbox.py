"""Writing events in the business transaction: the outbox rows and the wake-up for the relay.

An event exists only if the transaction that recorded it commits; the relay
(:mod:`mahaliyat.events.relay`) publishes it afterwards.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import utcnow
from mahaliyat.events.envelope import CloudEvent
from mahaliyat.events.tables import outbox

NOTIFY_CHANNEL = "mahaliyat_outbox"  # what the relay LISTENs on (PostgreSQL)


async def record(session: AsyncSession, *events: CloudEvent) -> None:
    """Add events to the outbox in the caller's transaction; they exist only if it commits."""
    if not events:
        return
    now = utcnow()
    await session.execute(
        outbox.insert(),
        [
            {"id": e.id, "type": e.type, "payload": e.to_json().decode(), "created_at": now}
            for e in events
        ],
    )
    session.info["outbox_written"] = True
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # Delivered on commit only, once per transaction (PostgreSQL folds duplicates).
        await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
