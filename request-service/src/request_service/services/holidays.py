"""The holiday table, kept by a platform admin over Egypt's seeded holidays.

The working calendar is the seed (``mahaliyat.calendar.egypt_holidays``: the holidays
package's Egypt calendar) with the admins' decisions over it: a day they set is a
holiday under their names, a day they removed is a working day. Deadlines already set
are not recomputed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import Principal
from mahaliyat.calendar import Holiday, egypt_holidays, with_overrides
from mahaliyat.clock import cairo_date
from mahaliyat.db import on_commit
from mahaliyat.problems import Problem
from request_service.adapters import Adapters
from request_service.domain.text import Bilingual
from request_service.queries import holidays
from request_service.schemas import HolidayIn
from request_service.services import audit

ADMIN = "platform_admin"


def _admin(principal: Principal) -> None:
    if not principal.can(ADMIN, "EG"):
        raise Problem(403, "forbidden", "the holiday table is kept by a national platform_admin")


async def listed(session: AsyncSession, adapters: Adapters, year: int | None) -> list[Holiday]:
    """The holidays in force: of ``year``, else of the seeded years plus every admin decision."""
    if year is None:
        years = adapters.calendars.years(cairo_date(adapters.now()))
        merged = with_overrides(egypt_holidays(years), await holidays.overrides(session))
    else:
        merged = with_overrides(egypt_holidays([year]), await holidays.overrides(session, year))
    return sorted(merged.values(), key=lambda h: h.day)


async def put(
    session: AsyncSession, adapters: Adapters, principal: Principal, day: date, body: HolidayIn
) -> None:
    _admin(principal)
    name = body.name.bilingual() or Bilingual("عطلة رسمية", "Public holiday")
    await holidays.put(session, day, name.ar, name.en, body.approximate)
    await audit.record(
        session,
        at=adapters.now(),
        actor_id=principal.subject,
        actor_role=ADMIN,
        action="holiday_set",
        details={"day": day.isoformat(), "name": name.as_dict(), "approximate": body.approximate},
    )
    on_commit(session, adapters.calendars.invalidate)


async def remove(
    session: AsyncSession, adapters: Adapters, principal: Principal, day: date
) -> None:
    """Make ``day`` a working day; 404 when it is not a holiday now."""
    _admin(principal)
    decided, holiday = await holidays.decision(session, day)
    if not (holiday is not None if decided else day in egypt_holidays([day.year])):
        raise Problem(404, "not_found")
    await holidays.remove(session, day)
    await audit.record(
        session,
        at=adapters.now(),
        actor_id=principal.subject,
        actor_role=ADMIN,
        action="holiday_removed",
        details={"day": day.isoformat()},
    )
    on_commit(session, adapters.calendars.invalidate)
