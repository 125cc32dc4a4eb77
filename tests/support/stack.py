"""A test stack: one database with the messaging tables, and buses on one broker (or in memory)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Integer, String, Table, Uuid

from mahaliyat.db import Database, make_metadata
from mahaliyat.events import MESSAGING_METADATA, InProcessBus, RetryPolicy
from mahaliyat.events.bus import EventBus
from mahaliyat.events.envelope import CloudEvent
from mahaliyat.events.rabbitmq import RabbitMQBus

TEST_METADATA = make_metadata()
widgets = Table(
    "widgets",
    TEST_METADATA,
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
)
effects = Table(  # one row per (consumer, event) a handler acted on
    "effects",
    TEST_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("consumer", String(100), nullable=False),
    Column("event_id", Uuid, nullable=False),
)

FAST_RETRY = RetryPolicy(max_attempts=3, delays_ms=(200, 400))


@dataclass
class Stack:
    database: Database
    broker_url: str | None
    exchange: str
    queue_prefix: str
    buses: list[EventBus] = field(default_factory=list)
    _memory: InProcessBus | None = None

    @property
    def kind(self) -> str:
        return "rabbitmq" if self.broker_url else "memory"

    def bus(self, retry: RetryPolicy = FAST_RETRY, url: str | None = None) -> EventBus:
        """A bus on this stack's broker; several buses act like several processes."""
        bus: EventBus
        if self.broker_url is None:
            if self._memory is None:
                self._memory = InProcessBus(retry)
            bus = self._memory
        else:
            bus = RabbitMQBus(
                url or self.broker_url,
                exchange=self.exchange,
                queue_prefix=self.queue_prefix,
                retry=retry,
                publish_timeout=3.0,
                connect_timeout=3.0,
            )
        self.buses.append(bus)
        return bus

    async def dead_letters(self, queue: str) -> list[bytes]:
        """Bodies parked in ``queue``'s dead-letter queue."""
        if self._memory is not None:
            return [d.body for d in self._memory.dead_letters if d.queue == queue]
        import aio_pika

        assert self.broker_url is not None
        connection = await aio_pika.connect(self.broker_url)
        try:
            channel = await connection.channel()
            dlq = await channel.declare_queue(f"{self.queue_prefix}{queue}.dlq", durable=True)
            bodies = []
            while (message := await dlq.get(fail=False, no_ack=True)) is not None:
                bodies.append(message.body)
            return bodies
        finally:
            await connection.close()

    async def cleanup(self) -> None:
        for bus in self.buses:
            await bus.close()
        if self.broker_url is None:
            return
        import aio_pika

        connection = await aio_pika.connect(self.broker_url)
        try:
            channel = await connection.channel()
            for bus in self.buses:
                assert isinstance(bus, RabbitMQBus)
                for sub in bus._subscriptions:
                    names = [sub.queue, f"{sub.queue}.dlq"] + [
                        f"{sub.queue}.retry.{n}" for n in range(1, bus.retry.max_attempts)
                    ]
                    for name in names:
                        await channel.queue_delete(name)
            await channel.exchange_delete(self.exchange)
        finally:
            await connection.close()


@asynccontextmanager
async def make_stack(database_url: str, broker_url: str | None) -> AsyncIterator[Stack]:
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.run_sync(MESSAGING_METADATA.create_all)
        await connection.run_sync(TEST_METADATA.create_all)
    tag = uuid.uuid4().hex[:10]
    stack = Stack(database, broker_url, exchange=f"test.{tag}", queue_prefix=f"test.{tag}.")
    try:
        yield stack
    finally:
        await stack.cleanup()
        await database.dispose()


def event(type_: str = "test.widget.created", **data: Any) -> CloudEvent:
    return CloudEvent(source="/tests", type=type_, data=data)


class Recorder:
    """A handler that records every delivery (and can be told to fail)."""

    def __init__(self, fail_types: Sequence[str] = ()) -> None:
        self.deliveries: list[CloudEvent] = []
        self.fail_types = set(fail_types)

    async def __call__(self, received: CloudEvent) -> None:
        self.deliveries.append(received)
        if received.type in self.fail_types:
            raise RuntimeError(f"refusing {received.type}")

    def ids(self) -> list[uuid.UUID]:
        return [e.id for e in self.deliveries]
