"""A service's running parts, chosen from its settings: database, bus, relay and consumers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from mahaliyat.db import Database
from mahaliyat.events import OutboxRelay, RetryPolicy, idempotent
from mahaliyat.events.bus import EventBus
from mahaliyat.events.buses import connect
from mahaliyat.events.inbox import SessionHandler
from mahaliyat.idempotency import purge_expired
from mahaliyat.migrations import upgrade
from mahaliyat.settings import ServiceSettings
from mahaliyat.ticker import Ticker

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Consumer:
    """A handler with its own durable queue ``<service>.<name>``, bound to routing-key patterns."""

    name: str
    patterns: tuple[str, ...]
    handler: SessionHandler


StartHook = Callable[["ServiceRuntime"], Awaitable[None]]  # also used for stop hooks


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        migrations: Path | None = None,
        consumers: Sequence[Consumer] = (),
        on_start: Sequence[StartHook] = (),
        on_stop: Sequence[StartHook] = (),
        bus: EventBus | None = None,
    ) -> None:
        self.settings = settings
        self.service = settings.service_name
        self.migrations = migrations
        self.consumers = tuple(consumers)
        self.on_start = tuple(on_start)
        self.on_stop = tuple(on_stop)
        self.database = Database(
            settings.database_url,
            pool_size=settings.database_pool_size,
            echo=settings.database_echo,
        )
        self.bus = bus or connect(
            settings.bus_url,
            exchange=settings.bus_exchange,
            queue_prefix=settings.bus_queue_prefix,
            retry=RetryPolicy(settings.consumer_max_attempts, settings.consumer_retry_delays_ms),
            prefetch=settings.consumer_prefetch,
        )
        self.relay = OutboxRelay(
            self.database,
            self.bus,
            service=self.service,
            batch_size=settings.relay_batch_size,
            poll_seconds=settings.relay_poll_seconds,
            max_backoff_seconds=settings.relay_max_backoff_seconds,
            max_attempts=settings.relay_max_attempts,
        )
        # Every service with a migration history has the kernel's idempotency_keys table.
        self.idempotency_purge = (
            Ticker("idempotency-purge", self._purge_idempotency, 3600, first_step_at_start=False)
            if migrations is not None
            else None
        )

    async def _purge_idempotency(self) -> None:
        async with self.database.unit_of_work() as uow:
            await purge_expired(uow.session)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[ServiceRuntime]:
        """Migrate (when configured), subscribe, start the bus and relay; undo on exit."""
        try:
            if self.settings.migrate_on_start and self.migrations is not None:
                await upgrade(self.database, self.migrations)
            for consumer in self.consumers:
                queue = f"{self.service}.{consumer.name}"
                self.bus.subscribe(
                    queue, consumer.patterns, idempotent(self.database, queue, consumer.handler)
                )
            await self.bus.start()
            self.relay.start()
            if self.idempotency_purge is not None:
                self.idempotency_purge.start()
            for hook in self.on_start:
                await hook(self)
            yield self
        finally:
            # Stop hooks first: background loops may still need the database and bus.
            for hook in reversed(self.on_stop):
                try:
                    await hook(self)
                except Exception:
                    log.exception("stop hook failed in %s", self.service)
            if self.idempotency_purge is not None:
                await self.idempotency_purge.stop()
            await self.relay.stop()
            await self.bus.close()
            await self.database.dispose()
