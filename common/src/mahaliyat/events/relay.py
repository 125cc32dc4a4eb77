"""The relay that publishes committed outbox rows to the bus.

The relay publishes a batch (broker-confirmed) and only then marks it published,
in the transaction that selected it. A crash between the two republishes the
batch later: delivery is at least once, and consumers' inboxes make it once.
On PostgreSQL rows are taken ``FOR UPDATE SKIP LOCKED`` so several relays share
the work without publishing a row twice; they are woken by ``LISTEN/NOTIFY``
(:mod:`mahaliyat.events.listener`).

A broker outage blames no row: the batch is rolled back and tried again after a
pause. A row the broker refuses *itself* (:class:`PublishRefused`) gets its
``attempts`` counted and ``last_error`` written, is held back for a growing pause
while the rows behind it go on, and after ``max_attempts`` refusals is *parked*:
kept, unpublished, skipped by the relay, counted in ``mahaliyat_outbox_parked``
and logged. Setting its ``attempts`` back to 0 re-queues it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prometheus_client import Counter, Gauge
from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import Database, utcnow
from mahaliyat.events.bus import EventBus, PublishRefused
from mahaliyat.events.envelope import Outgoing
from mahaliyat.events.listener import OutboxListener
from mahaliyat.events.tables import outbox

log = logging.getLogger(__name__)

_PendingRow = Row[uuid.UUID, str, str, int]  # id, type, payload, attempts


EVENTS_PUBLISHED = Counter(
    "mahaliyat_outbox_published_total", "Events published by the outbox relay", ["service"]
)
RELAY_FAILURES = Counter(
    "mahaliyat_outbox_relay_failures_total", "Relay batches that failed to publish", ["service"]
)
EVENTS_REFUSED = Counter(
    "mahaliyat_outbox_refused_total",
    "Publish attempts the broker refused for the event itself",
    ["service"],
)
EVENTS_PARKED = Counter(
    "mahaliyat_outbox_rows_parked_total", "Outbox rows parked after too many refusals", ["service"]
)
OUTBOX_PENDING = Gauge(
    "mahaliyat_outbox_pending", "Outbox rows waiting to be published (last seen)", ["service"]
)
OUTBOX_PARKED = Gauge(
    "mahaliyat_outbox_parked", "Outbox rows parked, not published (last seen)", ["service"]
)


@dataclass(frozen=True, slots=True)
class _Pass:
    taken: int
    published: int
    more: bool = False  # rows were left for the next pass on purpose
    outage: Exception | None = None  # the broker went away part way (progress was kept)


@dataclass(frozen=True, slots=True)
class Backlog:
    pending: int  # unpublished and still tried
    parked: int  # unpublished and given up on until someone re-queues them


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
        max_attempts: int = 10,
        metrics_seconds: float = 5.0,
        stop_timeout_seconds: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.database = database
        self.bus = bus
        self.service = service
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.max_attempts = max_attempts
        self.metrics_seconds = metrics_seconds
        self.stop_timeout_seconds = stop_timeout_seconds
        self.clock = clock
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._listener = OutboxListener(
            database,
            service=service,
            first_pause_seconds=min(poll_seconds, max_backoff_seconds),
            max_pause_seconds=max_backoff_seconds,
            clock=clock,
        )
        self._metrics_due_at = float("-inf")
        self._held: dict[uuid.UUID, float] = {}  # refused rows -> when to try them again
        self._suspects: set[uuid.UUID] = set()  # rows a refusal fell on: published one by one

    @property
    def listening(self) -> bool:
        """Whether a LISTEN connection is open (PostgreSQL only)."""
        return self._listener.listening

    async def relay_once(self) -> int:
        """Publish one batch of pending rows; returns how many were published."""
        result = await self._relay_batch()
        if result.outage is not None:
            raise result.outage
        return result.published

    async def _relay_batch(self) -> _Pass:
        now = self.clock()
        self._held = {row_id: at for row_id, at in self._held.items() if at > now}
        outage: Exception | None = None
        async with self.database.unit_of_work() as uow:
            query = (
                select(outbox.c.id, outbox.c.type, outbox.c.payload, outbox.c.attempts)
                .where(outbox.c.published_at.is_(None), outbox.c.attempts < self.max_attempts)
                .order_by(outbox.c.id)
                .limit(self.batch_size)
            )
            if self._held:
                query = query.where(outbox.c.id.not_in(list(self._held)))
            if self.database.is_postgres:
                query = query.with_for_update(skip_locked=True)
            rows = (await uow.session.execute(query)).all()
            if not rows:
                return _Pass(taken=0, published=0)
            suspects = [row for row in rows if row.id in self._suspects]
            if suspects:
                # Rows a refusal fell on go alone, so that a bad one cannot take others down.
                published, outage = await self._publish_alone(uow.session, suspects)
            else:
                try:
                    await self.bus.publish([_outgoing(row) for row in rows])
                    published = [row.id for row in rows]
                except PublishRefused as refused:
                    published = await self._sort_out(uow.session, rows, refused)
            if published:
                await self._mark_published(uow.session, published)
        self._suspects.difference_update(published)
        EVENTS_PUBLISHED.labels(self.service).inc(len(published))
        left = bool(suspects) and len(suspects) < len(rows)  # the others wait for the next pass
        return _Pass(len(rows), len(published), more=left, outage=outage)

    async def _sort_out(
        self, session: AsyncSession, rows: Sequence[_PendingRow], refused: PublishRefused
    ) -> list[uuid.UUID]:
        """Keep what the broker took and blame what it refused; returns the ids it took."""
        taken = [row.id for row in rows if str(row.id) not in refused.refused]
        suspects = [row for row in rows if str(row.id) in refused.refused]
        if len(suspects) == 1:
            await self._refused(session, suspects[0], refused.refused[str(suspects[0].id)])
        else:
            # A channel-level refusal hits every message in flight, and the channel is
            # down for a moment: the next passes try each of them alone.
            self._suspects.update(row.id for row in suspects)
            log.warning(
                "broker refused %d events at once; trying them one by one",
                len(suspects),
                extra={"service": self.service},
            )
        return taken

    async def _publish_alone(
        self, session: AsyncSession, rows: Sequence[_PendingRow]
    ) -> tuple[list[uuid.UUID], Exception | None]:
        """Publish each row by itself; stop at an outage, which blames nobody."""
        taken: list[uuid.UUID] = []
        for row in rows:
            try:
                await self.bus.publish([_outgoing(row)])
            except PublishRefused as alone:
                await self._refused(session, row, next(iter(alone.refused.values()), ""))
            except Exception as exc:
                return taken, exc
            else:
                taken.append(row.id)
        return taken, None

    async def _refused(self, session: AsyncSession, row: _PendingRow, reason: str) -> None:
        attempts = int(row.attempts) + 1
        await session.execute(
            update(outbox)
            .where(outbox.c.id == row.id)
            .values(attempts=attempts, last_error=reason[:2000])
        )
        EVENTS_REFUSED.labels(self.service).inc()
        fields = {"service": self.service, "event_id": str(row.id), "event_type": row.type}
        if attempts >= self.max_attempts:
            self._suspects.discard(row.id)
            EVENTS_PARKED.labels(self.service).inc()
            log.error(
                "outbox row parked after %d refusals, the relay moves on: %s",
                attempts,
                reason,
                extra=fields,
            )
            return
        pause = min(self.poll_seconds * 2**attempts, self.max_backoff_seconds)
        self._held[row.id] = self.clock() + pause
        self._suspects.add(row.id)  # tried alone from now on
        log.warning(
            "broker refused an event (attempt %d of %d), retrying in %.1fs: %s",
            attempts,
            self.max_attempts,
            pause,
            reason,
            extra=fields,
        )

    async def _mark_published(self, session: AsyncSession, ids: Sequence[uuid.UUID]) -> None:
        await session.execute(
            update(outbox).where(outbox.c.id.in_(ids)).values(published_at=utcnow())
        )

    async def backlog(self) -> Backlog:
        """Unpublished rows, pending and parked; also sets the two gauges."""
        waiting = outbox.c.attempts < self.max_attempts
        async with self.database.read() as session:
            row = (
                await session.execute(
                    select(func.count().filter(waiting), func.count().filter(~waiting)).where(
                        outbox.c.published_at.is_(None)
                    )
                )
            ).one()
        backlog = Backlog(pending=int(row[0] or 0), parked=int(row[1] or 0))
        OUTBOX_PENDING.labels(self.service).set(backlog.pending)
        OUTBOX_PARKED.labels(self.service).set(backlog.parked)
        return backlog

    async def pending(self) -> int:
        return (await self.backlog()).pending

    async def drain(self) -> int:
        """Publish until nothing is pending (for tests and shutdown)."""
        total = 0
        while published := await self.relay_once():
            total += published
        return total

    def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self.run(), name=f"outbox-relay-{self.service}")

    async def stop(self) -> None:
        """Let the batch in hand finish (then cancel, if it takes too long), close LISTEN."""
        task, self._task = self._task, None
        if task is not None:
            self._stopping.set()
            self.database.outbox_written.set()  # wake it if it is waiting for work
            # Cancelling mid-query would strand a database connection; finish the batch instead.
            done, _ = await asyncio.wait({task}, timeout=self.stop_timeout_seconds)
            if not done:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._listener.close()

    async def run(self) -> None:
        backoff = self.poll_seconds
        while not self._stopping.is_set():
            await self._listener.keep_listening()
            await self._refresh_metrics()
            try:
                result = await self._relay_batch()
                if result.outage is not None:
                    raise result.outage
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
                await self._pause(backoff)
                backoff = min(backoff * 2, self.max_backoff_seconds)
                continue
            if result.more or result.taken == self.batch_size:
                continue  # more may be waiting
            await self._wait_for_work()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()

    async def _wait_for_work(self) -> None:
        if self._stopping.is_set():
            return
        signal = self.database.outbox_written
        timeout = self.poll_seconds
        now = self.clock()
        if self._held:  # a refused row comes due
            timeout = min(timeout, max(0.0, min(self._held.values()) - now))
        if self.database.is_postgres and not self.listening:  # time to try LISTEN again
            timeout = min(timeout, max(0.0, self._listener.retry_at - now))
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
        # that races the signal, and the relay would never stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await signal.wait()
        signal.clear()

    async def _refresh_metrics(self) -> None:
        now = self.clock()
        if now < self._metrics_due_at:
            return
        self._metrics_due_at = now + self.metrics_seconds
        try:
            await self.backlog()
        except Exception as exc:  # the database is away; the relay will say so itself
            log.debug("outbox backlog unavailable: %s", exc)


def _outgoing(row: _PendingRow) -> Outgoing:
    return Outgoing(str(row.id), row.type, row.payload.encode())
