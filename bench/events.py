"""Outbox relay throughput next to raw aio-pika publishing, and commit-to-consumer latency.

All on the same broker and database in one run: raw publishing (persistent,
publisher confirms, same batch size) is the ceiling the relay is measured against.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import aio_pika
import asyncpg

from bench.report import header, percentile
from mahaliyat.db import Database
from mahaliyat.events import MESSAGING_METADATA, OutboxRelay, record
from mahaliyat.events.envelope import CloudEvent
from mahaliyat.events.rabbitmq import RabbitMQBus

POSTGRES = os.environ.get(
    "MAHALIYAT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
RABBITMQ = os.environ.get("MAHALIYAT_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
EVENTS = int(os.environ.get("BENCH_EVENTS", "5000"))
BATCH = 200
RATE, SECONDS = 200, 10


def make_event(i: int) -> CloudEvent:
    return CloudEvent(
        source="/bench", type="bench.widget.created", data={"n": i, "name": f"widget {i}"}
    )


async def raw_publish(exchange_name: str, queue_name: str) -> float:
    connection = await aio_pika.connect(RABBITMQ)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(
            exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(queue_name, durable=True)
        await queue.bind(exchange, "bench.#")
        bodies = [make_event(i).to_json() for i in range(EVENTS)]
        started = time.perf_counter()
        for start in range(0, EVENTS, BATCH):
            await asyncio.gather(
                *(
                    exchange.publish(
                        aio_pika.Message(b, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                        routing_key="bench.widget.created",
                    )
                    for b in bodies[start : start + BATCH]
                )
            )
        elapsed = time.perf_counter() - started
        await queue.purge()
        return EVENTS / elapsed
    finally:
        await connection.close()


async def relay_throughput(database: Database, bus: RabbitMQBus) -> float:
    async with database.unit_of_work() as uow:
        for start in range(0, EVENTS, 1000):
            await record(
                uow.session, *(make_event(i) for i in range(start, min(EVENTS, start + 1000)))
            )
    relay = OutboxRelay(database, bus, service="bench", batch_size=BATCH)
    started = time.perf_counter()
    published = await relay.drain()
    elapsed = time.perf_counter() - started
    assert published == EVENTS, published
    return EVENTS / elapsed


async def commit_to_consumer(
    database: Database, publisher: RabbitMQBus, consumer: RabbitMQBus
) -> list[float]:
    latencies: list[float] = []
    done = asyncio.Event()
    total = RATE * SECONDS

    async def handler(event: CloudEvent) -> None:
        latencies.append(time.time() - event.data["committed_at"])
        if len(latencies) >= total:
            done.set()

    consumer.subscribe("bench.latency", ["bench.latency.#"], handler)
    await consumer.start()
    relay = OutboxRelay(database, publisher, service="bench", poll_seconds=0.5)
    relay.start()
    try:
        interval = 1 / RATE
        next_at = time.perf_counter()
        for i in range(total):
            async with database.unit_of_work() as uow:
                # The event carries the time just before commit; the commit itself is included.
                await record(
                    uow.session,
                    CloudEvent(
                        source="/bench",
                        type="bench.latency.tick",
                        data={"n": i, "committed_at": time.time()},
                    ),
                )
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        await asyncio.wait_for(done.wait(), timeout=60)
    finally:
        await relay.stop()
    return latencies


async def run() -> str:
    name = f"mbench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(POSTGRES)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = (
        POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"
    )
    database = Database(url)
    tag = uuid.uuid4().hex[:8]
    exchange = f"bench.{tag}"
    publisher = RabbitMQBus(RABBITMQ, exchange=exchange, queue_prefix=f"{exchange}.")
    consumer = RabbitMQBus(RABBITMQ, exchange=exchange, queue_prefix=f"{exchange}.")
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(MESSAGING_METADATA.create_all)
        await publisher.start()
        raw = await raw_publish(exchange, f"{exchange}.sink")
        relayed = await relay_throughput(database, publisher)
        latencies = await commit_to_consumer(database, publisher, consumer)
    finally:
        await publisher.close()
        await consumer.close()
        await database.dispose()
        await cleanup(exchange, name)
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    return f"""## events — outbox relay vs raw publishing (`bench/events.py`)

{header()}

PostgreSQL outbox → RabbitMQ, {EVENTS} events, batches of {BATCH}, persistent messages with publisher confirms.

| measure | result | aim |
|---|---|---|
| raw aio-pika publish | {raw:,.0f} events/s | (ceiling) |
| outbox relay | {relayed:,.0f} events/s | ≥ 1,000 events/s |
| relay ÷ raw | {relayed / raw:.2f}× | ≥ 0.5× |
| commit → consumer at {RATE} events/s for {SECONDS} s, p50 | {p50:.1f} ms | |
| commit → consumer, p99 | {p99:.1f} ms | < 100 ms |
"""


async def cleanup(exchange: str, database_name: str) -> None:
    connection = await aio_pika.connect(RABBITMQ)
    try:
        channel = await connection.channel()
        for queue in (
            "sink",
            "bench.latency",
            "bench.latency.dlq",
            *(f"bench.latency.retry.{n}" for n in range(1, 5)),
        ):
            await channel.queue_delete(f"{exchange}.{queue}")
        await channel.exchange_delete(exchange)
    finally:
        await connection.close()
    admin = await asyncpg.connect(POSTGRES)
    await admin.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
    await admin.close()
