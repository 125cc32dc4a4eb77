"""Tracking sequences: counter rows per (governorate, Cairo year, shard), bumped in the filing transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import upsert
from request_service.models import TrackingCounter

_COUNTERS: Table = TrackingCounter.__table__  # type: ignore[assignment]
_BUMP: dict[str, Any] = {}


def _bump(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    statement = _BUMP.get(dialect)
    if statement is None:
        table = _COUNTERS
        statement = _BUMP[dialect] = (
            upsert(session, table)
            .values(
                governorate=bindparam("governorate"),
                year=bindparam("year"),
                shard=bindparam("shard"),
                last_value=1,
            )
            .on_conflict_do_update(
                index_elements=[table.c.governorate, table.c.year, table.c.shard],
                set_={"last_value": table.c.last_value + 1},
            )
            .returning(table.c.last_value)
        )
    return statement


async def next_in_shard(session: AsyncSession, governorate: str, year: int, shard: int) -> int:
    """How many numbers the shard has given out, this one included.

    One statement on both backends. The shard's row stays locked until the
    transaction ends, so only filings that drew the same shard wait for each other.
    """
    parameters = {"governorate": governorate, "year": year, "shard": shard}
    value = (await session.execute(_bump(session), parameters)).scalar_one()
    return int(value)
