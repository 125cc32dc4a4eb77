"""Loading the seed data at start, into an empty database only (safe to run on every start).

- Reference data — governorates, subdivisions, categories, departments, services
  and fee schedules — is what the catalogue *is*: loaded whenever its tables are
  empty (``seed_reference_data``, on by default).
- Centres and mobile stops are demo data (the real list comes from the ministry):
  loaded only with ``seed_demo_data``. Stops are topped up on every start so the
  next ``mobile_schedule_days`` days always have a schedule.

One transaction, bulk inserts; on PostgreSQL an advisory lock lets replicas start together.
"""

from __future__ import annotations

import logging
import zlib
from datetime import timedelta

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


async def _demo(session: AsyncSession, days: int) -> bool:
    loaded = False
    if not await centres.has_centres(session) and await geography.has_governorates(session):
        await centres.add_centres(session, seed.load_centres(), utcnow())
        loaded = True
    today = inputs.today()
    end = today + timedelta(days=days)
    planned = await centres.stop_days(session, today, end)
    subdivisions = await geography.subdivisions(session)
    missing = [
        stop
        for centre in await centres.centres(session, CentreKind.MOBILE)
        for stop in seed.mobile_schedule(centre, subdivisions, today, days)
        if (stop.centre_code, stop.on) not in planned
    ]
    return await centres.add_stops(session, missing) > 0 or loaded


async def seed_catalogue(database: Database, settings: CatalogSettings) -> bool:
    """Load what is missing; True when anything was written (the generation is raised then)."""
    async with database.unit_of_work() as uow:
        session = uow.session
        if database.is_postgres:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
        loaded = await _reference(session) if settings.seed_reference_data else False
        if settings.seed_demo_data:
            loaded = await _demo(session, settings.mobile_schedule_days) or loaded
        if loaded:
            await generation.bump(session)
            log.info("catalogue seed data loaded")
        return loaded
