"""The public-holiday table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from request_service.models import Holiday
from request_service.queries import upsert


async def all_days(session: AsyncSession) -> Sequence[date]:
    return (await session.scalars(select(Holiday.day))).all()


async def in_year(session: AsyncSession, year: int | None) -> Sequence[Holiday]:
    query = select(Holiday).order_by(Holiday.day)
    if year is not None:
        query = query.where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
    return (await session.scalars(query)).all()


async def put(
    session: AsyncSession, day: date, name_ar: str, name_en: str, approximate: bool
) -> None:
    table = Holiday.__table__
    values = {"day": day, "name_ar": name_ar, "name_en": name_en, "approximate": approximate}
    await session.execute(
        upsert(session, table)
        .values(**values)
        .on_conflict_do_update(index_elements=[table.c.day], set_=values)
    )


async def remove(session: AsyncSession, day: date) -> bool:
    result = await session.execute(delete(Holiday).where(Holiday.day == day))
    return bool(getattr(result, "rowcount", 0))
