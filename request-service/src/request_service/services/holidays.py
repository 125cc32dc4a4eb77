"""The holiday table, kept by a platform admin. Deadlines already set are not recomputed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import Principal
from mahaliyat.problems import Problem
from request_service.adapters import Adapters
from request_service.domain.text import Bilingual
from request_service.models import Holiday
from request_service.queries import holidays
from request_service.schemas import HolidayIn
from request_service.services import audit

ADMIN = "platform_admin"


def _admin(principal: Principal) -> None:
    if not principal.can(ADMIN, "EG"):
        raise Problem(403, "forbidden", "the holiday table is kept by a national platform_admin")


async def listed(session: AsyncSession, year: int | None) -> Sequence[Holiday]:
    return await holidays.in_year(session, year)


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
    adapters.calendars.invalidate()


async def remove(
    session: AsyncSession, adapters: Adapters, principal: Principal, day: date
) -> None:
    _admin(principal)
    if not await holidays.remove(session, day):
        raise Problem(404, "not_found")
    await audit.record(
        session,
        at=adapters.now(),
        actor_id=principal.subject,
        actor_role=ADMIN,
        action="holiday_removed",
        details={"day": day.isoformat()},
    )
    adapters.calendars.invalidate()
