"""The holidays table: the admins' decisions laid over the seeded calendar."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat import calendar
from mahaliyat.db import upsert
from request_service.models import Holiday


def _decision(row: Holiday) -> calendar.Holiday | None:
    if row.removed:
        return None
    return calendar.Holiday(row.day, row.name_ar, row.name_en, estimated=row.approximate)


async def overrides(
    session: AsyncSession, year: int | None = None
) -> dict[date, calendar.Holiday | None]:
    """Every decision (of ``year`` only, when given): a holiday, or None for a removed day."""
    query = select(Holiday).order_by(Holiday.day)
    if year is not None:
        query = query.where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
    return {row.day: _decision(row) for row in await session.scalars(query)}


async def decision(session: AsyncSession, day: date) -> tuple[bool, calendar.Holiday | None]:
    """Whether the admins decided ``day``, and what (None: removed)."""
    row = await session.get(Holiday, day, populate_existing=True)
    return (False, None) if row is None else (True, _decision(row))


async def _write(session: AsyncSession, values: dict[str, object]) -> None:
    table = Holiday.__table__
    await session.execute(
        upsert(session, table)
        .values(**values)
        .on_conflict_do_update(index_elements=[table.c.day], set_=values)
    )


async def put(
    session: AsyncSession, day: date, name_ar: str, name_en: str, approximate: bool
) -> None:
    await _write(
        session,
        {
            "day": day,
            "name_ar": name_ar,
            "name_en": name_en,
            "approximate": approximate,
            "removed": False,
        },
    )


async def remove(session: AsyncSession, day: date) -> None:
    """Make ``day`` a working day, whatever the seed says."""
    await _write(
        session, {"day": day, "name_ar": "", "name_en": "", "approximate": False, "removed": True}
    )
