"""Governorates and subdivisions."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service.domain.geography import Governorate, Subdivision, SubdivisionKind
from catalog_service.models import GovernorateRow, SubdivisionRow


async def governorates(session: AsyncSession) -> list[Governorate]:
    rows = await session.scalars(select(GovernorateRow).order_by(GovernorateRow.code))
    return [
        Governorate(
            code=r.code,
            name_ar=r.name_ar,
            name_en=r.name_en,
            capital_ar=r.capital_ar,
            capital_en=r.capital_en,
            population=r.population,
            phone_area_code=r.phone_area_code,
            latitude=r.latitude,
            longitude=r.longitude,
        )
        for r in rows
    ]


async def subdivisions(
    session: AsyncSession, governorate_code: str | None = None
) -> list[Subdivision]:
    """Every subdivision, or one governorate's."""
    query = select(SubdivisionRow).order_by(SubdivisionRow.code)
    if governorate_code is not None:
        query = query.where(SubdivisionRow.governorate_code == governorate_code)
    rows = await session.scalars(query)
    return [
        Subdivision(
            code=r.code,
            governorate_code=r.governorate_code,
            kind=SubdivisionKind(r.kind),
            name_ar=r.name_ar,
            name_en=r.name_en,
            latitude=r.latitude,
            longitude=r.longitude,
        )
        for r in rows
    ]


async def has_governorates(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(exists().select_from(GovernorateRow))))


async def governorate_exists(session: AsyncSession, code: str) -> bool:
    return bool(await session.scalar(select(exists().where(GovernorateRow.code == code))))


async def subdivision_exists(session: AsyncSession, code: str) -> bool:
    return bool(await session.scalar(select(exists().where(SubdivisionRow.code == code))))


async def subdivision_codes(session: AsyncSession) -> set[str]:
    return set(await session.scalars(select(SubdivisionRow.code)))


async def add_governorates(session: AsyncSession, items: Iterable[Governorate]) -> None:
    rows = [
        {
            "code": g.code,
            "name_ar": g.name_ar,
            "name_en": g.name_en,
            "capital_ar": g.capital_ar,
            "capital_en": g.capital_en,
            "population": g.population,
            "phone_area_code": g.phone_area_code,
            "latitude": g.latitude,
            "longitude": g.longitude,
        }
        for g in items
    ]
    if rows:
        await session.execute(insert(GovernorateRow), rows)


async def add_subdivisions(session: AsyncSession, items: Iterable[Subdivision]) -> None:
    rows = [
        {
            "code": s.code,
            "governorate_code": s.governorate_code,
            "kind": s.kind.value,
            "name_ar": s.name_ar,
            "name_en": s.name_en,
            "latitude": s.latitude,
            "longitude": s.longitude,
        }
        for s in items
    ]
    if rows:
        await session.execute(insert(SubdivisionRow), rows)
