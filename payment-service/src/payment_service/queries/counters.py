"""Invoice sequences: one counter row per (governorate, Cairo year), bumped in the issuing transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import upsert
from payment_service.models import InvoiceCounter

_COUNTERS: Table = InvoiceCounter.__table__  # type: ignore[assignment]
_BUMP: dict[str, Any] = {}


def _bump(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    statement = _BUMP.get(dialect)
    if statement is None:
        table = _COUNTERS
        statement = _BUMP[dialect] = (
            upsert(session, table)
            .values(governorate=bindparam("governorate"), year=bindparam("year"), last_value=1)
            .on_conflict_do_update(
                index_elements=[table.c.governorate, table.c.year],
                set_={"last_value": table.c.last_value + 1},
            )
            .returning(table.c.last_value)
        )
    return statement


async def next_invoice(session: AsyncSession, governorate: str, year: int) -> int:
    """The next invoice sequence of the governorate and year; the row stays locked until commit."""
    parameters = {"governorate": governorate, "year": year}
    return int((await session.execute(_bump(session), parameters)).scalar_one())
