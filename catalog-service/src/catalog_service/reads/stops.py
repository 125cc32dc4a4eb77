"""Mobile-centre stops: a vehicle's schedule, and which vehicles stop in a place.

Stops are dated rows that grow day by day, so unlike the rest of the catalogue
they are read from the database (by index), not kept in the snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service import inputs
from catalog_service.domain.centres import CentreKind
from catalog_service.queries import centres as centre_queries
from catalog_service.readmodel import Snapshot
from catalog_service.reads import representations as rep
from catalog_service.reads.centres import find_centre
from catalog_service.schemas import MobileStops
from mahaliyat import context
from mahaliyat.problems import Problem


@dataclass(frozen=True, slots=True)
class StopWindow:
    start: date
    end: date  # exclusive
    subdivision: str | None = None
    governorate: str | None = None
    centre: str | None = None


def window(start: str | None, days: int) -> tuple[date, date]:
    """[start, start + days); ``start`` defaults to today in Cairo ("this week": the next 7 days)."""
    first = inputs.parse_date(start, "from") or inputs.today()
    return first, first + timedelta(days=days)


def for_place(
    snapshot: Snapshot,
    *,
    subdivision: str | None,
    governorate: str | None,
    start: str | None,
    days: int,
) -> StopWindow:
    first, end = window(start, days)
    return StopWindow(
        first,
        end,
        subdivision=inputs.subdivision(subdivision, snapshot.subdivisions),
        governorate=inputs.governorate(governorate, snapshot.governorates),
    )


def for_centre(snapshot: Snapshot, code: str, start: str | None, days: int) -> StopWindow:
    centre = find_centre(snapshot, code)
    if centre.kind is not CentreKind.MOBILE:
        detail = (
            f"{centre.code} is not a mobile centre"
            if context.language.get() == "en"
            else f"{centre.code} ليس مركزًا متنقلًا"
        )
        raise Problem(404, "not_a_mobile_centre", detail)
    first, end = window(start, days)
    return StopWindow(first, end, centre=centre.code)


async def stops(session: AsyncSession, snapshot: Snapshot, w: StopWindow) -> MobileStops:
    found = await centre_queries.stops(
        session,
        w.start,
        w.end,
        subdivision_code=w.subdivision,
        centre_code=w.centre,
        governorate_code=w.governorate,
    )
    return MobileStops(
        start=w.start,
        end=w.end,
        items=rep.stops_out(found, snapshot.centres, snapshot.subdivisions),
    )
