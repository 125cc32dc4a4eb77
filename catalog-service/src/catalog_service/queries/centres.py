"""Technology centres and the stops of mobile centres."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service.domain.centres import Centre, CentreKind, MobileStop
from catalog_service.models import CentreRow, MobileStopRow
from catalog_service.queries import codec


def _values(centre: Centre) -> dict[str, Any]:
    return {
        "kind": centre.kind.value,
        "governorate_code": centre.governorate_code,
        "subdivision_code": centre.subdivision_code,
        "name_ar": centre.name_ar,
        "name_en": centre.name_en,
        "address_ar": centre.address_ar,
        "address_en": centre.address_en,
        "phone": centre.phone,
        "hours": codec.hours_json(centre.hours),
        "latitude": centre.latitude,
        "longitude": centre.longitude,
        "vehicle_plate": centre.vehicle_plate,
        "active": centre.active,
    }


def centre_of(row: CentreRow) -> Centre:
    return Centre(
        code=row.code,
        kind=CentreKind(row.kind),
        governorate_code=row.governorate_code,
        subdivision_code=row.subdivision_code,
        name_ar=row.name_ar,
        name_en=row.name_en,
        address_ar=row.address_ar,
        address_en=row.address_en,
        phone=row.phone,
        hours=codec.hours_of(row.hours),
        latitude=row.latitude,
        longitude=row.longitude,
        vehicle_plate=row.vehicle_plate,
        active=row.active,
    )


async def centres(session: AsyncSession, kind: CentreKind | None = None) -> list[Centre]:
    query = select(CentreRow).order_by(CentreRow.code)
    if kind is not None:
        query = query.where(CentreRow.kind == kind.value)
    return [centre_of(r) for r in await session.scalars(query)]


async def has_centres(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(exists().select_from(CentreRow))))


async def centre_row(session: AsyncSession, code: str, *, lock: bool = False) -> CentreRow | None:
    return await session.get(CentreRow, code, with_for_update=lock or None)


async def add_centres(session: AsyncSession, items: Iterable[Centre], now: datetime) -> None:
    rows = [{"code": c.code, **_values(c), "updated_at": now} for c in items]
    if rows:
        await session.execute(insert(CentreRow), rows)


def change_centre(row: CentreRow, centre: Centre, now: datetime) -> None:
    for name, value in _values(centre).items():
        setattr(row, name, value)
    row.updated_at = now


def _stop(row: MobileStopRow) -> MobileStop:
    return MobileStop(
        centre_code=row.centre_code,
        on=row.day,
        opens=row.opens,
        closes=row.closes,
        subdivision_code=row.subdivision_code,
        place_ar=row.place_ar,
        place_en=row.place_en,
    )


async def stops(
    session: AsyncSession,
    start: date,
    end: date,
    *,
    subdivision_code: str | None = None,
    centre_code: str | None = None,
    governorate_code: str | None = None,
) -> list[MobileStop]:
    """Stops on days in [start, end), by day, opening time and centre."""
    query = select(MobileStopRow).where(MobileStopRow.day >= start, MobileStopRow.day < end)
    if subdivision_code is not None:
        query = query.where(MobileStopRow.subdivision_code == subdivision_code)
    if centre_code is not None:
        query = query.where(MobileStopRow.centre_code == centre_code)
    if governorate_code is not None:
        query = query.where(MobileStopRow.centre_code.startswith(governorate_code + "-"))
    query = query.order_by(MobileStopRow.day, MobileStopRow.opens, MobileStopRow.centre_code)
    return [_stop(r) for r in await session.scalars(query)]


async def stop_days(session: AsyncSession, start: date, end: date) -> set[tuple[str, date]]:
    """(centre, day) of every stop already planned in [start, end)."""
    rows = await session.execute(
        select(MobileStopRow.centre_code, MobileStopRow.day).where(
            MobileStopRow.day >= start, MobileStopRow.day < end
        )
    )
    return {(r.centre_code, r.day) for r in rows}


async def planned_to(session: AsyncSession) -> dict[str, date]:
    """Each mobile centre's planned horizon: ``stops_planned_to``, else the day after its last
    stop (centres planned before the horizon was recorded); absent when nothing is planned."""
    recorded = await session.execute(
        select(CentreRow.code, CentreRow.stops_planned_to).where(
            CentreRow.stops_planned_to.is_not(None)
        )
    )
    horizon = {r.code: r.stops_planned_to for r in recorded}
    last = await session.execute(
        select(MobileStopRow.centre_code, func.max(MobileStopRow.day).label("day")).group_by(
            MobileStopRow.centre_code
        )
    )
    for r in last:
        horizon.setdefault(r.centre_code, r.day + timedelta(days=1))
    return horizon


async def extend_planned_to(session: AsyncSession, codes: Iterable[str], day: date) -> None:
    """Move the centres' ``stops_planned_to`` to ``day`` unless it is already later."""
    await session.execute(
        update(CentreRow)
        .where(
            CentreRow.code.in_(list(codes)),
            or_(CentreRow.stops_planned_to.is_(None), CentreRow.stops_planned_to < day),
        )
        .values(stops_planned_to=day)
    )


async def replace_stops(
    session: AsyncSession, centre_code: str, start: date, end: date, items: Iterable[MobileStop]
) -> None:
    """The centre's stops on days in [start, end) become ``items``."""
    await session.execute(
        delete(MobileStopRow).where(
            MobileStopRow.centre_code == centre_code,
            MobileStopRow.day >= start,
            MobileStopRow.day < end,
        )
    )
    await add_stops(session, items)


async def add_stops(session: AsyncSession, items: Iterable[MobileStop]) -> int:
    rows = [
        {
            "centre_code": s.centre_code,
            "day": s.on,
            "opens": s.opens,
            "closes": s.closes,
            "subdivision_code": s.subdivision_code,
            "place_ar": s.place_ar,
            "place_en": s.place_en,
        }
        for s in items
    ]
    if rows:
        await session.execute(insert(MobileStopRow), rows)
    return len(rows)
