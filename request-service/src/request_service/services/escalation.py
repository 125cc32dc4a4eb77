"""The SLA watch: breached applications are escalated to their centre manager, once each."""

from __future__ import annotations

import logging

from mahaliyat.db import Database
from mahaliyat.events import record
from mahaliyat.ticker import Ticker
from request_service import events
from request_service.adapters import Adapters
from request_service.domain.workflow import SYSTEM
from request_service.queries import applications, escalations
from request_service.services import audit

log = logging.getLogger(__name__)

BATCH = 100


class Escalator:
    """Runs :meth:`run_once` every ``interval`` seconds until stopped."""

    def __init__(self, database: Database, adapters: Adapters, interval: float) -> None:
        self.database = database
        self.adapters = adapters
        self.interval = interval
        self.ticker = Ticker("request-sla-watch", self._step, interval)

    async def run_once(self) -> int:
        """Escalate every breached application not yet escalated; returns how many were."""
        total = 0
        while True:
            escalated, seen = await self._batch()
            total += escalated
            if seen < BATCH:
                return total

    async def _batch(self) -> tuple[int, int]:
        now = self.adapters.now()
        escalated = 0
        async with self.database.unit_of_work() as uow:
            session = uow.session
            due = await applications.breached_unescalated(session, now, BATCH)
            for application in due:
                assert application.due_at is not None
                if not await escalations.record_once(
                    session, application.id, application.jurisdiction, application.due_at, now
                ):
                    continue  # another replica got there first
                await record(session, events.escalated(application, now))
                await audit.record(
                    session,
                    at=now,
                    actor_id="sla-watch",
                    actor_role=SYSTEM,
                    action="escalated",
                    application_id=application.id,
                    details={"due_at": application.due_at.isoformat(), "to": "centre_manager"},
                )
                escalated += 1
        return escalated, len(due)

    def start(self) -> None:
        self.ticker.start()

    def wake(self) -> None:
        """Look now instead of at the next tick (tests, and after a clock change)."""
        self.ticker.wake()

    async def stop(self) -> None:
        await self.ticker.stop()

    async def _step(self) -> None:
        escalated = await self.run_once()
        if escalated:
            log.info("escalated %d breached applications", escalated)
