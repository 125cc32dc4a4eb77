"""Keeping a demo's mobile centres scheduled while it runs: every ``interval`` seconds the
stops of the next ``days`` days are topped up, so a demo left running for weeks never runs
out of stops (start-up alone would plan only the first ``days``).

Only with ``seed_demo_data``: real schedules are the admins' (``PUT /centres/{code}/schedule``).
``today`` is injectable, so tests move the calendar instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
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
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

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
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="catalog-demo-stops")

    def wake(self) -> None:
        """Plan now instead of at the next tick (tests, and after a clock change)."""
        self._wake.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        # The start-up seeding has just planned: the first top-up is one tick later.
        while True:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._wake.wait()
            self._wake.clear()
            try:
                added = await self.run_once()
                if added:
                    log.info("planned %d demo mobile-centre stops", added)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("demo stop planning failed; trying again at the next tick")
