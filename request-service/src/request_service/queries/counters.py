"""Tracking sequences: one counter row per (governorate, year), bumped in the filing transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from request_service.models import TrackingCounter
from request_service.queries import upsert


async def next_sequence(session: AsyncSession, governorate: str, year: int) -> int:
    """The next sequence number; the row stays locked until the transaction ends.

    One statement on both backends: PostgreSQL takes the row lock in the upsert, so
    concurrent filers queue there; SQLite transactions are already serialised
    (BEGIN IMMEDIATE).
    """
    table = TrackingCounter.__table__
    statement = upsert(session, table).values(governorate=governorate, year=year, last_value=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.governorate, table.c.year],
        set_={"last_value": table.c.last_value + 1},
    ).returning(table.c.last_value)
    value = (await session.execute(statement)).scalar_one()
    return int(value)
