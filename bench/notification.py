"""SMS throughput from events to the sandbox provider, on RabbitMQ and PostgreSQL.

The notification service runs as in production (its runtime: consumers on
RabbitMQ, the sender loop, the outbox relay publishing ``notification.sms.*``)
with the sandbox provider, which answers every message with a delivery receipt.
Each ``request.submitted`` event becomes one Arabic SMS (two UCS-2 segments) to
its own recipient. Three measures:

- backlog: the events wait in the service's queue (published while it was down);
  the service starts and works through them — its own throughput;
- live: the events are published while it runs, by this same process (publishing
  then competes with the service for the CPU, as request-service would on 2 cores);
- latency: one event every 1/RATE s, from publish to the provider.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import aio_pika
import asyncpg
from sqlalchemy import func, select

from bench.report import header, percentile
from mahaliyat.db import Database
from mahaliyat.events import CloudEvent
from mahaliyat.events.rabbitmq import RabbitMQBus
from mahaliyat.runtime import ServiceRuntime
from notification_service.app import build_runtime
from notification_service.models import SmsMessage
from notification_service.providers.base import OutgoingSms, SendResult
from notification_service.providers.sandbox import SandboxProvider
from notification_service.settings import NotificationSettings

POSTGRES = os.environ.get(
    "MAHALIYAT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
RABBITMQ = os.environ.get("MAHALIYAT_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
MESSAGES = int(os.environ.get("BENCH_SMS", "5000"))
BATCH = 200
RATE, SECONDS = 100, 10
QUEUES = ("otp-sms", "event-sms")
LIMIT_SECONDS = 600


def submitted(n: int) -> CloudEvent:
    """A request.submitted event; recipient ``+2011`` + n (clear of the sandbox's test numbers)."""
    application = str(uuid.uuid4())
    data = {
        "application_id": application,
        "tracking_number": f"21-26-{n:07d}-0",
        "service_code": "BLD-001",
        "service_name": {"ar": "ترخيص بناء", "en": "Building permit"},
        "channel": "portal",
        "centre_code": None,
        "jurisdiction": "21",
        "governorate": "21",
        "applicant": {"ref": f"ref-{n}", "phone": f"+2011{n:08d}", "language": "ar"},
        "state": "submitted",
        "at": "2026-11-24T10:00:00+00:00",
        "sla_days": 10,
        "due_at": "2026-12-08T10:00:00+00:00",
        "fee_piasters": 0,
    }
    return CloudEvent(source="/request", type="request.submitted", subject=application, data=data)


class TimedSandbox(SandboxProvider):
    """The sandbox, noting when each message reached it."""

    def __init__(self) -> None:
        super().__init__("sandbox")
        self.arrived_at: dict[str, float] = {}

    async def send(self, sms: OutgoingSms) -> SendResult:
        self.arrived_at[sms.to] = time.perf_counter()
        return await super().send(sms)


async def until(condition: Callable[[], bool]) -> None:
    deadline = time.perf_counter() + LIMIT_SECONDS
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the benchmark did not finish in time")
        await asyncio.sleep(0.005)


async def delivered_count(runtime: ServiceRuntime) -> int:
    async with runtime.database.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(SmsMessage).where(SmsMessage.state == "delivered")
        )
    return int(count or 0)


async def publish(publisher: RabbitMQBus, first: int, count: int) -> float:
    """Publish events ``first`` … ``first + count - 1`` in confirmed batches; events/s."""
    events = [submitted(n).outgoing() for n in range(first, first + count)]
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        await publisher.publish(events[start : start + BATCH])
    return count / (time.perf_counter() - started)


def _replica(settings: dict[str, object], stop: Any, cpu_seconds: Any) -> None:
    """One service process with its own sandbox, until ``stop`` is set; adds its CPU time."""

    async def serve() -> None:
        runtime, _, _ = build_runtime(
            NotificationSettings(**settings),  # type: ignore[arg-type]
            providers=[TimedSandbox()],
        )
        started = time.process_time()
        async with runtime.running():
            await asyncio.to_thread(stop.wait)
        with cpu_seconds.get_lock():
            cpu_seconds.value += time.process_time() - started

    asyncio.run(serve())


async def handed_over(database: Database) -> int:
    async with database.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(SmsMessage).where(SmsMessage.sent_at.is_not(None))
        )
    return int(count or 0)


async def backlog(
    overrides: dict[str, object], publisher: RabbitMQBus, replicas: int, first: int
) -> tuple[float, float, float]:
    """(events/s published, SMS/s while ``replicas`` processes work through the backlog,
    CPU ms the service processes spent per SMS).

    The events are published while the service is down; the rate is taken from the
    first message handed to the provider to the last, so process start-up is left out.
    """
    database = Database(str(overrides["database_url"]))
    try:
        before = await handed_over(database)
        published = await publish(publisher, first, MESSAGES)
        context = multiprocessing.get_context("spawn")
        stop = context.Event()
        cpu_seconds = context.Value("d", 0.0)
        processes = [
            context.Process(target=_replica, args=(overrides, stop, cpu_seconds))
            for _ in range(replicas)
        ]
        for process in processes:
            process.start()
        try:
            started_at, done = None, before
            deadline = time.perf_counter() + LIMIT_SECONDS
            while done < before + MESSAGES:
                if time.perf_counter() > deadline:
                    raise TimeoutError("the backlog was not worked through in time")
                await asyncio.sleep(0.02)
                done = await handed_over(database)
                if started_at is None and done > before:
                    started_at, first_count = time.perf_counter(), done
            assert started_at is not None
            rate = (before + MESSAGES - first_count) / (time.perf_counter() - started_at)
        finally:
            stop.set()
            for process in processes:
                process.join(timeout=60)
    finally:
        await database.dispose()
    return published, rate, cpu_seconds.value / MESSAGES * 1000


async def live(
    settings: NotificationSettings, publisher: RabbitMQBus, first: int
) -> tuple[float, float, list[float]]:
    """(SMS/s handed over, SMS/s delivered, latencies at a steady rate), events published live."""
    sandbox = TimedSandbox()
    runtime, _, _ = build_runtime(settings, providers=[sandbox])
    async with runtime.running():
        base = await delivered_count(runtime)
        started = time.perf_counter()
        await publish(publisher, first, MESSAGES)
        await until(lambda: len(sandbox.sent) >= MESSAGES)
        handed = MESSAGES / (time.perf_counter() - started)
        while await delivered_count(runtime) < base + MESSAGES:
            if time.perf_counter() - started > LIMIT_SECONDS:
                raise TimeoutError("receipts did not arrive in time")
            await asyncio.sleep(0.01)
        delivered = MESSAGES / (time.perf_counter() - started)

        first, total = first + MESSAGES, RATE * SECONDS
        published_at: dict[str, float] = {}
        next_at = time.perf_counter()
        for n in range(first, first + total):
            published_at[f"+2011{n:08d}"] = time.perf_counter()
            await publisher.publish([submitted(n).outgoing()])
            next_at += 1 / RATE
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        await until(lambda: all(to in sandbox.arrived_at for to in published_at))
    delays = [sandbox.arrived_at[to] - at for to, at in published_at.items()]
    return handed, delivered, delays


async def run() -> str:
    name = f"mbench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(POSTGRES)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = (
        POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"
    )
    exchange = f"bench.{uuid.uuid4().hex[:8]}"
    overrides: dict[str, object] = dict(
        environment="test",
        database_url=url,
        bus_url=RABBITMQ,
        bus_exchange=exchange,
        bus_queue_prefix=f"{exchange}.",
        quiet_hours_start=None,  # the benchmark may run at night
        quiet_hours_end=None,
        sender_poll_seconds=0.05,
    )
    settings = NotificationSettings(**overrides)  # type: ignore[arg-type]
    publisher = RabbitMQBus(RABBITMQ, exchange=exchange, queue_prefix=f"{exchange}.")
    try:
        await publisher.start()
        async with build_runtime(settings, providers=[TimedSandbox()])[0].running():
            pass  # declares the queues, migrates and seeds; then the service is down
        published, one, cpu_one = await backlog(overrides, publisher, 1, 0)
        _, two, cpu_two = await backlog(overrides, publisher, 2, MESSAGES)
        load = os.getloadavg()[0]
        handed, delivered, delays = await live(settings, publisher, 2 * MESSAGES)
        load = max(load, os.getloadavg()[0])
    finally:
        await publisher.close()
        await cleanup(exchange, name)
    p50, p99 = percentile(delays, 50) * 1000, percentile(delays, 99) * 1000
    return f"""## notification — events to SMS (`bench/notification.py`)

{header()}

One notification-service process (consumers on RabbitMQ, sender loop, outbox relay,
PostgreSQL) and the sandbox provider, which answers each SMS with a delivery receipt.
Each `request.submitted` event becomes an Arabic SMS of two UCS-2 segments to its own
recipient; {MESSAGES} events per run, published in confirmed batches of {BATCH}.
Backlog rates run from the first message handed over to the last (start-up left out).
Load average during the run: {load:.1f} (the machine's other work competes for the cores;
CPU per SMS does not depend on it).

| measure | result | aim |
|---|---|---|
| backlog → provider, one process | {one:,.0f} SMS/s | |
| backlog → provider, two processes (replicas) | {two:,.0f} SMS/s | ≥ 500 SMS/s |
| service CPU per SMS, one process / two | {cpu_one:.2f} / {cpu_two:.2f} ms | |
| live: published by this process while the service runs → provider | {handed:,.0f} SMS/s | |
| live: → delivery receipt applied | {delivered:,.0f} SMS/s | |
| publishing the backlog (no consumer running) | {published:,.0f} events/s | |
| event → provider at {RATE} events/s for {SECONDS} s, p50 | {p50:.1f} ms | |
| event → provider, p99 | {p99:.1f} ms | |
"""


async def cleanup(exchange: str, database_name: str) -> None:
    connection = await aio_pika.connect(RABBITMQ)
    try:
        channel = await connection.channel()
        for queue in QUEUES:
            base = f"{exchange}.notification.{queue}"
            for name in (base, f"{base}.dlq", *(f"{base}.retry.{n}" for n in range(1, 5))):
                await channel.queue_delete(name)
        await channel.exchange_delete(exchange)
    finally:
        await connection.close()
    admin = await asyncpg.connect(POSTGRES)
    await admin.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
    await admin.close()


if __name__ == "__main__":
    print(asyncio.run(run()))
