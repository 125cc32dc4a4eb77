"""Keeping a demo's mobile centres scheduled while it runs: every ``interval`` seconds the
stops of the next ``days`` days are topped up, so a demo left running for weeks never runs
out of stops (start-up alone would plan only the first ``days``).

Only with ``seed_demo_data``: real schedules are the admins' (``PUT /centres/{code}/schedule``).
``today`` is injectable, so tests move the calendar instead of waiting for it.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from datetime import date

from sqlalchemy import text

from catalog_service import inputs
from catalog_service.readmodel import CatalogueReadModel
from catalog_service.seeding import top_up_stops
from catalog_service.writes.common import begin_change, lock_catalogue
from mahaliyat.db import Database
from mahaliyat.ticker import Ticker

log = logging.getLogger(__name__)

_LOCK = zlib.crc32(b"catalog-seed")  # the seeding's: replicas top up one after the other


class DemoStopPlanner:
    """Runs :meth:`run_once` every ``interval`` seconds until stopped."""

    def __init__(
        self,
        database: Database,
        read_model: CatalogueReadModel,
        *,
        days: int,
        interval: float,
        today: Callable[[], date] = inputs.today,
    ) -> None:
        self.database = database
        self.read_model = read_model
        self.days = days
        self.interval = interval
        self.today = today
        self.runs = 0  # completed runs, for tests and metrics
        # The start-up seeding has just planned: the first top-up is one tick later.
        self.ticker = Ticker("catalog-demo-stops", self._step, interval, first_step_at_start=False)

    async def run_once(self) -> int:
        """Plan the stops missing up to ``today() + days``; returns how many were added."""
        async with self.database.unit_of_work() as uow:
            session = uow.session
            if self.database.is_postgres:
                await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
            await lock_catalogue(session)
            added = await top_up_stops(session, self.days, self.today())
            if added:
                # Stop answers are cached per generation: raising it makes every replica re-read.
                await begin_change(session, self.read_model)
        self.runs += 1
        return added

    def start(self) -> None:
        self.ticker.start()

    def wake(self) -> None:
        """Plan now instead of at the next tick (tests, and after a clock change)."""
        self.ticker.wake()

    async def stop(self) -> None:
        await self.ticker.stop()

    async def _step(self) -> None:
        added = await self.run_once()
        if added:
            log.info("planned %d demo mobile-centre stops", added)
