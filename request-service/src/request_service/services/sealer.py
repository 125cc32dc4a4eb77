"""The audit sealer: links committed audit entries into the hash chain, in the background.

Started and stopped by runtime hooks, on the kernel's :class:`~mahaliyat.ticker.Ticker`
(docs/CONVENTIONS.md rule 15). Every replica runs one; on PostgreSQL an
advisory lock lets one seal at a time (the others skip the round), on SQLite the
database's single writer does the same. Each round seals everything committed
so far, in batches, each in its own short transaction, then publishes the chain
head as a checkpoint when ``checkpoint_every`` has passed since the last one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from mahaliyat.clock import Clock, system_clock
from mahaliyat.db import Database
from mahaliyat.ticker import Ticker
from request_service.services import audit

log = logging.getLogger(__name__)


class Sealer:
    """A sealing round every ``interval`` seconds (or when woken), the first one interval after start."""

    def __init__(
        self,
        database: Database,
        *,
        interval: float,
        batch: int,
        checkpoint_every: timedelta = timedelta(hours=1),
        clock: Clock = system_clock,
    ) -> None:
        self.database = database
        self.interval = interval
        self.batch = batch
        self.checkpoint_every = checkpoint_every
        self.clock = clock
        # Sealed since the last checkpoint round, and when the next one can be due: a quiet
        # round opens no transaction for checkpoints.
        self._unpublished = False
        self._checkpoint_due: datetime | None = None
        self.ticker = Ticker(
            "request-audit-sealer", self._step, interval, first_step_at_start=False
        )

    async def seal_now(self, *, wait: bool = True) -> int:
        """Seal every entry committed before the call; how many this process sealed.

        ``wait=False`` gives up as soon as another sealer holds the lock (it will
        seal them); with ``wait=True`` (tests, shutdown of the last replica) this
        waits for it and goes on.
        """
        total = 0
        while True:
            async with self.database.unit_of_work() as uow:
                sealed = await audit.seal(uow.session, self.batch, wait=wait)
            if sealed is None:
                return total
            total += sealed
            if sealed < self.batch:
                return total

    async def checkpoint_now(self) -> audit.Checkpoint | None:
        """Publish the chain head if it moved and the interval has passed (None otherwise)."""
        async with self.database.unit_of_work() as uow:
            done = await audit.checkpoint(uow.session, self.clock(), self.checkpoint_every)
        self._checkpoint_due = done.next_due
        self._unpublished = done.next_due is not None and done.published is None
        return done.published

    async def _checkpoint_if_due(self) -> None:
        if not self._unpublished:
            return
        if self._checkpoint_due is not None and self.clock() < self._checkpoint_due:
            return
        published = await self.checkpoint_now()
        if published is not None:
            log.info("audit checkpoint published at seq %d", published.seq)

    def start(self) -> None:
        self.ticker.start()

    def wake(self) -> None:
        """Seal now instead of at the next tick."""
        self.ticker.wake()

    async def stop(self) -> None:
        """Stop the ticker, then seal what this replica's last requests wrote (best effort)."""
        if not self.ticker.running:
            return
        await self.ticker.stop()
        try:
            await self.seal_now(wait=False)
        except Exception:
            log.exception("could not seal the audit log on the way out; the next sealer will")

    async def _step(self) -> None:
        """One round: seal what is committed, then publish a checkpoint if one is due."""
        sealed = await self.seal_now(wait=False)
        if sealed:
            log.debug("sealed %d audit entries", sealed)
            self._unpublished = True
        await self._checkpoint_if_due()
