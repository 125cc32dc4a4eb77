"""The outbox guarantees, on SQLite + in-process bus and on PostgreSQL + RabbitMQ."""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from fastapi import APIRouter
from prometheus_client import REGISTRY
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import Database, utcnow
from mahaliyat.events import OutboxRelay, PublishRefused, RetryPolicy, idempotent, outbox, record
from mahaliyat.events.bus import EventBus, Handler
from mahaliyat.events.envelope import CloudEvent, Outgoing
from mahaliyat.events.listener import LISTENER_NAME
from mahaliyat.ids import new_id
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.settings import ServiceSettings
from mahaliyat.web import Session, create_service_app
from tests.support.stack import Recorder, Stack, effects, event, widgets
from tests.support.tcpproxy import TcpProxy
from tests.support.waiting import eventually


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 30.0) -> None:
    """``eventually`` for a condition that must be awaited."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        await asyncio.sleep(0.02)


def consumer(stack: Stack, name: str, seen: list[uuid.UUID]) -> Handler:
    """An idempotent consumer whose effect is a row; ``seen`` counts deliveries, the table effects."""

    async def effect(session: AsyncSession, received: CloudEvent) -> None:
        await session.execute(effects.insert().values(consumer=name, event_id=received.id))

    handle = idempotent(stack.database, name, effect)

    async def deliver(received: CloudEvent) -> None:
        seen.append(received.id)
        await handle(received)

    return deliver


async def effect_counts(stack: Stack, consumer: str) -> collections.Counter[uuid.UUID]:
    async with stack.database.read() as session:
        rows = (
            await session.execute(select(effects.c.event_id).where(effects.c.consumer == consumer))
        ).scalars()
        return collections.Counter(rows)


async def pending(stack: Stack) -> int:
    async with stack.database.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
    return int(count or 0)


async def create_widget(stack: Stack, name: str, *, fail: bool = False) -> CloudEvent:
    created = event(name=name)
    async with stack.database.unit_of_work() as uow:
        await uow.session.execute(widgets.insert().values(id=uuid.uuid4(), name=name))
        await record(uow.session, created)
        if fail:
            raise RuntimeError("business rule refused the change")
    return created


async def test_event_exists_iff_its_transaction_committed(stack: Stack) -> None:
    bus = stack.bus()
    received = Recorder()
    bus.subscribe("t.widgets", ["test.widget.*"], received)
    await bus.start()
    relay = OutboxRelay(stack.database, bus, service="test")

    committed = await create_widget(stack, "committed")
    with pytest.raises(RuntimeError):
        await create_widget(stack, "rolled back", fail=True)

    assert await pending(stack) == 1
    async with stack.database.read() as session:
        names = (await session.execute(select(widgets.c.name))).scalars().all()
    assert names == ["committed"]
    assert await relay.drain() == 1
    await eventually(lambda: len(received.deliveries) >= 1)
    await asyncio.sleep(0.3)  # give a wrongly published event time to arrive
    assert received.ids() == [committed.id]
    assert await pending(stack) == 0


async def test_relay_crash_after_publish_duplicates_delivery_but_not_effect(stack: Stack) -> None:
    bus = stack.bus()
    seen: list[uuid.UUID] = []
    bus.subscribe("t.effects", ["test.#"], consumer(stack, "t.effects", seen))
    await bus.start()

    class CrashingRelay(OutboxRelay):
        async def _mark_published(self, session: AsyncSession, ids: Sequence[uuid.UUID]) -> None:
            raise ConnectionResetError("process died after publishing")

    created = await create_widget(stack, "once")
    with pytest.raises(ConnectionResetError):
        await CrashingRelay(stack.database, bus, service="test").relay_once()
    assert await pending(stack) == 1  # not marked: the crash rolled the mark back

    assert await OutboxRelay(stack.database, bus, service="test").drain() == 1
    await eventually(lambda: seen.count(created.id) == 2, what="the duplicate delivery")
    assert await pending(stack) == 0
    assert (await effect_counts(stack, "t.effects"))[created.id] == 1


class TimedRecorder(Recorder):
    """A recorder that also notes when each delivery arrived (a monotonic clock)."""

    def __init__(self, fail_types: Sequence[str] = ()) -> None:
        super().__init__(fail_types)
        self.times: dict[uuid.UUID, list[float]] = collections.defaultdict(list)

    async def __call__(self, received: CloudEvent) -> None:
        self.times[received.id].append(time.monotonic())
        await super().__call__(received)


async def retry_queue_ttl_is(stack: Stack, queue: str, level: int, ttl_ms: int) -> bool:
    """Whether ``queue.retry.level`` carries ``x-message-ttl = ttl_ms``.

    RabbitMQ accepts a re-declaration only with arguments equal to the queue's, and
    closes the channel (406) otherwise, so a declaration is an exact question.
    """
    import aio_pika
    import aio_pika.exceptions

    assert stack.broker_url is not None
    name = f"{stack.queue_prefix}{queue}"
    connection = await aio_pika.connect(stack.broker_url)
    try:
        channel = await connection.channel()
        try:
            await channel.declare_queue(
                f"{name}.retry.{level}",
                durable=True,
                arguments={
                    "x-message-ttl": ttl_ms,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": name,
                },
            )
        except aio_pika.exceptions.ChannelPreconditionFailed:
            return False
        return True
    finally:
        await connection.close()


async def test_failing_handler_is_retried_with_backoff_then_dead_lettered_intact(
    stack: Stack,
) -> None:
    retry = RetryPolicy(max_attempts=4, delays_ms=(100, 300, 600))
    bus = stack.bus(retry=retry)
    recorder = TimedRecorder(fail_types=["test.widget.poison"])
    queue = "t.poison"
    bus.subscribe(queue, ["test.widget.*"], recorder)
    await bus.start()
    relay = OutboxRelay(stack.database, bus, service="test")

    poison = event("test.widget.poison", name="bad")
    async with stack.database.unit_of_work() as uow:
        await record(uow.session, poison)
    await relay.drain()
    later = await create_widget(stack, "after the poison")
    await relay.drain()

    await eventually(lambda: later.id in recorder.ids(), what="later messages still flow")
    await eventually(lambda: recorder.ids().count(poison.id) == 4, what="four attempts")
    parked: list[bytes] = []

    async def dead_lettered() -> bool:
        parked.extend(await stack.dead_letters(queue))
        return bool(parked)

    await until(dead_lettered, "the poison in the dead-letter queue")
    assert parked == [poison.to_json()]
    assert CloudEvent.from_json(parked[0]) == poison

    # Backoff: each retry waits at least its configured delay (a lower bound, not a speed
    # check; the tolerance covers clock granularity only), and the delays grow.
    times = recorder.times[poison.id]
    gaps_ms = [(b - a) * 1000 for a, b in itertools.pairwise(times)]
    assert len(gaps_ms) == 3
    for gap, delay in zip(gaps_ms, retry.delays_ms, strict=True):
        assert gap >= delay - 20, (gaps_ms, retry.delays_ms)
    if stack.kind == "rabbitmq":  # the delays live in the broker, as per-queue TTLs
        for level, delay in enumerate(retry.delays_ms, start=1):
            assert await retry_queue_ttl_is(stack, queue, level, delay)
            assert not await retry_queue_ttl_is(stack, queue, level, delay + 1)

    await asyncio.sleep(0.5)  # time enough for a wrong fifth attempt to show up
    assert recorder.ids().count(poison.id) == 4


async def test_two_relays_on_postgresql_never_publish_a_row_twice(postgres_url: str) -> None:
    from tests.support.stack import make_stack

    class CountingBus:
        def __init__(self) -> None:
            self.published: collections.Counter[str] = collections.Counter()

        async def start(self) -> None: ...

        async def close(self) -> None: ...

        async def is_ready(self) -> bool:
            return True

        def subscribe(self, queue: str, patterns: Sequence[str], handler: Handler) -> None: ...

        async def publish(self, events: Sequence[Outgoing]) -> None:
            await asyncio.sleep(0.002)  # a broker round trip, so the relays overlap
            self.published.update(e.id for e in events)

    async with make_stack(postgres_url, None) as stack:
        total = 2000
        async with stack.database.unit_of_work() as uow:
            for start in range(0, total, 500):
                await record(uow.session, *(event(n=i) for i in range(start, start + 500)))
        bus = CountingBus()
        relays = [
            OutboxRelay(stack.database, bus, service=f"r{i}", batch_size=50) for i in range(2)
        ]
        done = await asyncio.gather(*(r.drain() for r in relays))
        assert sum(done) == total
        assert all(n > 0 for n in done), "both relays should have taken a share"
        assert len(bus.published) == total
        assert max(bus.published.values()) == 1


class Switch:
    """Makes a bus unreachable and reachable again: a TCP proxy for RabbitMQ, a flag in memory."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.proxy: TcpProxy | None = None
        self.down = False

    async def __aenter__(self) -> Switch:
        if self.stack.broker_url:
            parts = urlsplit(self.stack.broker_url)
            self.proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5672)
            await self.proxy.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.proxy:
            await self.proxy.close()

    def url(self) -> str | None:
        if not self.proxy or not self.stack.broker_url:
            return None
        parts = urlsplit(self.stack.broker_url)
        netloc = f"{parts.username}:{parts.password}@127.0.0.1:{self.proxy.port}"
        query = "reconnect_interval=0.5"
        return urlunsplit((parts.scheme, netloc, parts.path or "/", query, ""))

    def wrap(self, bus: EventBus) -> EventBus:
        switch = self

        class Unplugged:
            async def start(self) -> None:
                await bus.start()

            async def close(self) -> None:
                await bus.close()

            async def is_ready(self) -> bool:
                return not switch.down and await bus.is_ready()

            def subscribe(self, queue: str, patterns: Sequence[str], handler: Handler) -> None:
                bus.subscribe(queue, patterns, handler)

            async def publish(self, events: Sequence[Outgoing]) -> None:
                if switch.down:
                    raise ConnectionRefusedError("broker unreachable")
                await bus.publish(events)

        return bus if self.proxy else Unplugged()

    async def cut(self) -> None:
        self.down = True
        if self.proxy:
            await self.proxy.cut()

    async def restore(self) -> None:
        self.down = False
        if self.proxy:
            await self.proxy.restore()


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "outbox-demo"


class NewWidget(BaseModel):
    name: str = Field(min_length=1, max_length=100)


def widget_router() -> APIRouter:
    router = APIRouter()

    @router.post("/widgets", status_code=201)
    async def create(widget: NewWidget, session: Session) -> dict[str, str]:
        created = event(name=widget.name)
        await session.execute(widgets.insert().values(id=uuid.uuid4(), name=widget.name))
        await record(session, created)
        return {"event_id": str(created.id)}

    return router


def gauge(name: str, service: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": service})


async def test_broker_outage_loses_nothing_and_duplicates_no_effect(stack: Stack) -> None:
    async with Switch(stack) as switch:
        # Publisher and consumers both reach the broker through the proxy: both are cut.
        publisher = switch.wrap(stack.bus(url=switch.url()))
        consumers = switch.wrap(stack.bus(url=switch.url()))
        names = ("t.audit", "t.sms")
        seen: dict[str, list[uuid.UUID]] = {name: [] for name in names}
        for name in names:
            consumers.subscribe(name, ["test.#"], consumer(stack, name, seen[name]))
        await consumers.start()
        settings = DemoSettings(
            environment="test",
            database_url=stack.database.url.render_as_string(hide_password=False),
            migrate_on_start=False,
            relay_poll_seconds=0.05,
            relay_max_backoff_seconds=0.5,
        )
        runtime = ServiceRuntime(settings, bus=publisher)
        runtime.relay.metrics_seconds = 0  # refresh the backlog gauges on every pass
        app = create_service_app(
            runtime=runtime,
            title="outbox demo",
            description="",
            api_prefix="/api/v1/demo",
            routers=[widget_router()],
        )
        service = runtime.relay.service
        created: list[uuid.UUID] = []

        async def write(client: httpx.AsyncClient, name: str) -> None:
            response = await client.post("/api/v1/demo/widgets", json={"name": name})
            assert response.status_code == 201, response.text
            created.append(uuid.UUID(response.json()["event_id"]))

        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client,
        ):
            for i in range(5):
                await write(client, f"before {i}")
            await eventually(lambda: len(seen["t.sms"]) >= 5, what="delivery before the outage")

            await switch.cut()
            for i in range(20):
                await write(client, f"during {i}")  # requests succeed without the broker
            await eventually(
                lambda: gauge("mahaliyat_outbox_pending", service) == 20,
                what="the relay reports 20 events waiting",
            )
            assert await pending(stack) == 20  # held in the outbox while the broker is away

            async def degraded() -> bool:
                ready = await client.get("/api/v1/demo/readyz")
                assert ready.status_code == 200, ready.text  # still serving: writes succeed
                return bool(ready.json()["status"] == "degraded")

            await until(degraded, "readyz reports the bus failing, and stays 200")
            assert (await client.get("/api/v1/demo/readyz")).json()["checks"] == {
                "database": "ok",
                "bus": "failing",
            }

            await switch.restore()
            everything = set(created)
            for name in names:

                async def all_effects(name: str = name) -> bool:
                    return set(await effect_counts(stack, name)) == everything

                await until(all_effects, f"{name} acts on every event after the broker returns")
            assert await pending(stack) == 0
            await eventually(lambda: gauge("mahaliyat_outbox_pending", service) == 0)
            for name in names:
                counts = await effect_counts(stack, name)
                assert max(counts.values()) == 1, f"{name} acted twice on an event"
            ready = await client.get("/api/v1/demo/readyz")
            assert ready.json()["status"] == "ready"


async def insert_raw(database: Database, type_: str) -> uuid.UUID:
    """An outbox row as an older release or a hand-made fix might have left it."""
    row_id = new_id()
    body = CloudEvent(source="/tests", type="test.widget.raw", id=row_id).model_dump(mode="json")
    async with database.unit_of_work() as uow:
        await uow.session.execute(
            outbox.insert().values(
                id=row_id,
                type=type_,
                payload=json.dumps(body | {"type": type_}),
                created_at=utcnow(),
            )
        )
    return row_id


async def outbox_row(database: Database, row_id: uuid.UUID) -> Any:
    async with database.read() as session:
        return (await session.execute(select(outbox).where(outbox.c.id == row_id))).one()


async def test_a_row_the_broker_refuses_is_parked_and_the_relay_moves_on(stack: Stack) -> None:
    bus = stack.bus()
    received = Recorder()
    bus.subscribe("t.after", ["test.#"], received)
    await bus.start()
    service = f"poison-{stack.kind}"
    relay = OutboxRelay(
        stack.database,
        bus,
        service=service,
        poll_seconds=0.02,
        max_backoff_seconds=0.1,
        max_attempts=3,
        metrics_seconds=0,
    )
    # A routing key is at most 255 bytes; 200 Arabic letters are 400. Neither bus takes it.
    poison = await insert_raw(stack.database, "ش" * 200)
    behind = [await create_widget(stack, f"behind {i}") for i in range(3)]
    relay.start()
    try:
        await eventually(
            lambda: {e.id for e in behind} <= set(received.ids()),
            what="the rows behind the refused one are delivered",
        )

        async def parked() -> bool:
            return int((await outbox_row(stack.database, poison)).attempts) == 3

        await until(parked, "three refusals park the row")
        row = await outbox_row(stack.database, poison)
        assert row.published_at is None  # kept, never marked published
        assert "255" in row.last_error
        await eventually(lambda: gauge("mahaliyat_outbox_parked", service) == 1)
        await eventually(lambda: gauge("mahaliyat_outbox_pending", service) == 0)
        assert gauge("mahaliyat_outbox_rows_parked_total", service) == 1
        assert gauge("mahaliyat_outbox_refused_total", service) == 3

        after = await create_widget(stack, "after parking")
        await eventually(lambda: after.id in received.ids(), what="the relay goes on")
        assert int((await outbox_row(stack.database, poison)).attempts) == 3  # not tried again
    finally:
        await relay.stop()
    assert received.ids().count(behind[0].id) == 1


class ChannelRefusals:
    """A broker that, like RabbitMQ over an oversized message, closes the channel over one bad
    message: every message in flight is refused, and the next call finds the channel down."""

    def __init__(self, inner: EventBus, bad_type: str) -> None:
        self.inner = inner
        self.bad_type = bad_type
        self.calls: list[int] = []
        self.channel_down = False

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        await self.inner.close()

    async def is_ready(self) -> bool:
        return not self.channel_down and await self.inner.is_ready()

    def subscribe(self, queue: str, patterns: Sequence[str], handler: Handler) -> None:
        self.inner.subscribe(queue, patterns, handler)

    async def publish(self, events: Sequence[Outgoing]) -> None:
        self.calls.append(len(events))
        if self.channel_down:
            self.channel_down = False  # reopened for the next call
            raise ConnectionResetError("channel closed")
        if any(e.type == self.bad_type for e in events):
            self.channel_down = True
            raise PublishRefused({e.id: "channel closed: PRECONDITION_FAILED" for e in events})
        await self.inner.publish(events)


async def test_a_refusal_of_a_whole_batch_blames_only_the_bad_row(stack: Stack) -> None:
    bus = ChannelRefusals(stack.bus(), bad_type="test.widget.bad")
    received = Recorder()
    bus.subscribe("t.batch", ["test.#"], received)
    await bus.start()
    now = [0.0]  # the relay's clock: it holds a refused row back until this moves
    relay = OutboxRelay(stack.database, bus, service="test", max_attempts=5, clock=lambda: now[0])
    good = [await create_widget(stack, f"good {i}") for i in range(2)]
    bad = event("test.widget.bad")
    async with stack.database.unit_of_work() as uow:
        await record(uow.session, bad)
    last = await create_widget(stack, "last")

    assert await relay.relay_once() == 0  # all four refused together: nobody can be blamed yet
    with pytest.raises(ConnectionResetError):
        await relay.relay_once()  # the channel is down: an outage, which blames nobody either
    # Then each alone: the good ones go, the bad one is blamed and brings the channel down
    # again; what was done before that is kept.
    with pytest.raises(ConnectionResetError):
        await relay.relay_once()
    assert [(await outbox_row(stack.database, e.id)).published_at is not None for e in good] == [
        True,
        True,
    ]
    assert await relay.relay_once() == 1  # the last one, alone
    assert bus.calls == [4, 1, 1, 1, 1, 1, 1]
    assert await relay.relay_once() == 0  # the bad one is held back for a while
    await eventually(lambda: {e.id for e in [*good, last]} <= set(received.ids()))
    now[0] += 60
    assert await relay.relay_once() == 0  # its turn again: tried alone, refused again
    assert bus.calls[-1] == 1
    assert bad.id not in received.ids()
    rows = {e.id: await outbox_row(stack.database, e.id) for e in [*good, bad, last]}
    assert [int(rows[e.id].attempts) for e in [*good, bad, last]] == [0, 0, 2, 0]
    assert rows[bad.id].published_at is None
    assert "PRECONDITION_FAILED" in rows[bad.id].last_error
    assert all(rows[e.id].published_at is not None for e in [*good, last])


async def test_relay_wakes_on_notify_and_reopens_a_lost_listener(postgres_url: str) -> None:
    import asyncpg

    from tests.conftest import POSTGRES_ADMIN_URL
    from tests.support.stack import make_stack

    async def listener_pids() -> set[int]:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            rows = await admin.fetch(
                "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = $2",
                LISTENER_NAME,
                postgres_url.rsplit("/", 1)[1],
            )
            return {int(r["pid"]) for r in rows}
        finally:
            await admin.close()

    async with make_stack(postgres_url, None) as stack:
        bus = stack.bus()
        received = Recorder()
        bus.subscribe("t.notify", ["test.#"], received)
        await bus.start()
        # A 30 s poll: only a NOTIFY can bring a row written elsewhere within the waits below.
        relay = OutboxRelay(stack.database, bus, service="notify", poll_seconds=30)
        writer = Database(postgres_url)  # another process's engine: no in-process signal
        first = await create_widget(stack, "before the relay")
        relay.start()
        try:
            await eventually(lambda: first.id in received.ids(), timeout=10)
            assert relay.listening

            async def write_elsewhere(name: str) -> CloudEvent:
                created = event(name=name)
                async with writer.unit_of_work() as uow:
                    await record(uow.session, created)
                return created

            woken = await write_elsewhere("from another process")
            await eventually(lambda: woken.id in received.ids(), timeout=10, what="NOTIFY")

            [old] = await listener_pids()
            admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
            try:
                await admin.execute("SELECT pg_terminate_backend($1)", old)
            finally:
                await admin.close()

            async def reopened() -> bool:
                pids = await listener_pids()
                return bool(pids) and old not in pids

            await until(reopened, "the relay opens a new LISTEN connection", timeout=10)
            again = await write_elsewhere("after the listener was lost")
            await eventually(lambda: again.id in received.ids(), timeout=10, what="NOTIFY again")
        finally:
            await relay.stop()
            await writer.dispose()
        assert not await listener_pids()  # stop closes it
