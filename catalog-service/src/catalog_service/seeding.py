"""Loading the seed data at start, into an empty database only (safe to run on every start).

- Reference data — governorates, subdivisions, categories, departments, services
  and fee schedules — is what the catalogue *is*: loaded whenever its tables are
  empty (``seed_reference_data``, on by default).
- Centres and mobile stops are demo data (the real list comes from the ministry):
  loaded only with ``seed_demo_data``. Stops are topped up at start, and then by
  :class:`catalog_service.demo_stops.DemoStopPlanner` while the service runs, so the
  next ``mobile_schedule_days`` days always have a schedule.

One transaction, bulk inserts; on PostgreSQL an advisory lock lets replicas start together.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service import inputs, seed
from catalog_service.domain.centres import CentreKind
from catalog_service.queries import catalogue, centres, fees, generation, geography
from catalog_service.settings import CatalogSettings
from mahaliyat.db import Database, utcnow

log = logging.getLogger(__name__)

_LOCK = zlib.crc32(b"catalog-seed")


async def _reference(session: AsyncSession) -> bool:
    loaded = False
    if not await geography.has_governorates(session):
        await geography.add_governorates(session, seed.load_governorates())
        await geography.add_subdivisions(session, seed.load_subdivisions())
        loaded = True
    if not await catalogue.has_categories(session):
        now = utcnow()
        await catalogue.add_categories(session, seed.load_categories())
        await catalogue.add_departments(session, seed.load_departments())
        await catalogue.add_services(session, seed.load_services(), now)
        await fees.add_schedules(session, seed.load_fee_schedules(), now, "seed")
        loaded = True
    return loaded


async def top_up_stops(session: AsyncSession, days: int, today: date) -> int:
    """Plan the demo stops of every active mobile centre up to ``today + days``; how many.

    Only days past a centre's planned horizon are filled (``stops_planned_to``): a day an
    admin's schedule left without a stop stays without one.
    """
    end = today + timedelta(days=days)
    horizon = await centres.planned_to(session)
    planned = await centres.stop_days(session, today, end)
    subdivisions = await geography.subdivisions(session)
    missing = []
    reached = []
    for centre in await centres.centres(session, CentreKind.MOBILE):
        start = max(today, horizon.get(centre.code, today))
        if not centre.active or start >= end:
            continue
        reached.append(centre.code)
        missing += [
            stop
            for stop in seed.mobile_schedule(centre, subdivisions, start, (end - start).days)
            if (stop.centre_code, stop.on) not in planned
        ]
    if reached:
        await centres.extend_planned_to(session, reached, end)
    return await centres.add_stops(session, missing)


async def _demo(session: AsyncSession, days: int, today: date) -> bool:
    loaded = False
    if not await centres.has_centres(session) and await geography.has_governorates(session):
        await centres.add_centres(session, seed.load_centres(), utcnow())
        loaded = True
    return await top_up_stops(session, days, today) > 0 or loaded


async def seed_catalogue(
    database: Database, settings: CatalogSettings, today: Callable[[], date] = inputs.today
) -> bool:
    """Load what is missing; True when anything was written (the generation is raised then)."""
    async with database.unit_of_work() as uow:
        session = uow.session
        if database.is_postgres:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
        await generation.lock(session)  # first, as every catalogue writer: one lock order
        loaded = await _reference(session) if settings.seed_reference_data else False
        if settings.seed_demo_data:
            loaded = await _demo(session, settings.mobile_schedule_days, today()) or loaded
        if loaded:
            await generation.bump(session)
            log.info("catalogue seed data loaded")
        return loaded
