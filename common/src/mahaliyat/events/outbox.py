"""Writing events in the business transaction, and the relay that publishes them.

The relay publishes a batch (broker-confirmed) and only then marks it published,
in the transaction that selected it. A crash between the two republishes the
batch later: delivery is at least once, and consumers' inboxes make it once.
On PostgreSQL rows are taken ``FOR UPDATE SKIP LOCKED`` so several relays share
the work without publishing a row twice; they are woken by ``LISTEN/NOTIFY``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from prometheus_client import Counter, Gauge
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import Database, utcnow
from mahaliyat.events.bus import EventBus
from mahaliyat.events.envelope import CloudEvent, Outgoing
from mahaliyat.events.tables import outbox

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "mahaliyat_outbox"

EVENTS_PUBLISHED = Counter(
    "mahaliyat_outbox_published_total", "Events published by the outbox relay", ["service"]
)
RELAY_FAILURES = Counter(
    "mahaliyat_outbox_relay_failures_total", "Relay batches that failed to publish", ["service"]
)
OUTBOX_PENDING = Gauge(
    "mahaliyat_outbox_pending", "Outbox rows not yet published (last seen)", ["service"]
)


async def record(session: AsyncSession, *events: CloudEvent) -> None:
    """Add events to the outbox in the caller's transaction; they exist only if it commits."""
    if not events:
        return
    now = utcnow()
    await session.execute(
        outbox.insert(),
        [
            {"id": e.id, "type": e.type, "payload": e.to_json().decode(), "created_at": now}
            for e in events
        ],
    )
    session.info["outbox_written"] = True
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # Delivered on commit only, once per transaction (PostgreSQL folds duplicates).
        await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))


class OutboxRelay:
    """Moves committed outbox rows to the bus. Run one per process; several may run on PostgreSQL."""

    def __init__(
        self,
        database: Database,
        bus: EventBus,
        *,
        service: str,
        batch_size: int = 200,
        poll_seconds: float = 0.5,
        max_backoff_seconds: float = 5.0,
    ) -> None:
        self.database = database
        self.bus = bus
        self.service = service
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self._task: asyncio.Task[None] | None = None
        self._listener: Any = None

    async def relay_once(self) -> int:
        """Publish one batch of pending rows; returns how many were published."""
        async with self.database.unit_of_work() as uow:
            query = (
                select(outbox.c.id, outbox.c.type, outbox.c.payload)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.id)
                .limit(self.batch_size)
            )
            if self.database.is_postgres:
                query = query.with_for_update(skip_locked=True)
            rows = (await uow.session.execute(query)).all()
            if not rows:
                return 0
            await self.bus.publish(
                [Outgoing(str(row.id), row.type, row.payload.encode()) for row in rows]
            )
            await self._mark_published(uow.session, [row.id for row in rows])
        EVENTS_PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    async def _mark_published(self, session: AsyncSession, ids: Sequence[uuid.UUID]) -> None:
        await session.execute(
            update(outbox).where(outbox.c.id.in_(ids)).values(published_at=utcnow())
        )

    async def pending(self) -> int:
        async with self.database.read() as session:
            count = await session.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
        OUTBOX_PENDING.labels(self.service).set(count or 0)
        return int(count or 0)

    async def drain(self) -> int:
        """Publish until nothing is pending (for tests and shutdown)."""
        total = 0
        while published := await self.relay_once():
            total += published
        return total

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name=f"outbox-relay-{self.service}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._unlisten()

    async def run(self) -> None:
        backoff = self.poll_seconds
        await self._listen()
        while True:
            try:
                published = await self.relay_once()
                backoff = self.poll_seconds
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                RELAY_FAILURES.labels(self.service).inc()
                log.warning(
                    "outbox relay could not publish; retrying in %.1fs: %s",
                    backoff,
                    exc,
                    extra={"service": self.service},
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff_seconds)
                continue
            if published == self.batch_size:
                continue  # more may be waiting
            await self._wait_for_work()

    async def _wait_for_work(self) -> None:
        signal = self.database.outbox_written
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
        # that races the signal, and the relay would never stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.poll_seconds):
                await signal.wait()
        signal.clear()

    async def _listen(self) -> None:
        """On PostgreSQL, wake on NOTIFY from any process writing this database."""
        if not self.database.is_postgres:
            return
        try:
            import asyncpg

            url = self.database.url.set(drivername="postgresql")
            self._listener = await asyncpg.connect(url.render_as_string(hide_password=False))
            await self._listener.add_listener(
                NOTIFY_CHANNEL, lambda *_: self.database.outbox_written.set()
            )
        except Exception as exc:  # polling still works without it
            log.warning("outbox LISTEN unavailable, polling only: %s", exc)
            self._listener = None

    async def _unlisten(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(Exception):
                await listener.close(timeout=2)
