"""The outbox guarantees, on SQLite + in-process bus and on PostgreSQL + RabbitMQ."""

from __future__ import annotations

import asyncio
import collections
import uuid
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.events import OutboxRelay, idempotent, outbox, record
from mahaliyat.events.bus import EventBus, Handler
from mahaliyat.events.envelope import CloudEvent, Outgoing
from tests.support.stack import Recorder, Stack, effects, event, widgets
from tests.support.tcpproxy import TcpProxy
from tests.support.waiting import eventually


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


async def test_failing_handler_is_retried_then_dead_lettered_intact(stack: Stack) -> None:
    bus = stack.bus()
    recorder = Recorder(fail_types=["test.widget.poison"])
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
    await eventually(lambda: recorder.ids().count(poison.id) == 3, what="three attempts")

    async def parked() -> list[bytes]:
        return await stack.dead_letters(queue)

    bodies: list[bytes] = []
    for _ in range(150):
        bodies = await parked()
        if bodies:
            break
        await asyncio.sleep(0.05)
    assert bodies == [poison.to_json()]
    assert CloudEvent.from_json(bodies[0]) == poison
    await asyncio.sleep(0.5)
    assert recorder.ids().count(poison.id) == 3  # no fourth attempt


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


async def test_broker_outage_loses_nothing_and_duplicates_no_effect(stack: Stack) -> None:
    async with Switch(stack) as switch:
        publisher = switch.wrap(stack.bus(url=switch.url()))
        consumers = stack.bus()  # consumers reach the broker directly; only publishing is cut
        seen = {name: [] for name in ("t.audit", "t.sms")}  # type: ignore[var-annotated]
        for name in seen:
            consumers.subscribe(name, ["test.#"], consumer(stack, name, seen[name]))
        await consumers.start()
        await publisher.start()
        relay = OutboxRelay(
            stack.database, publisher, service="test", poll_seconds=0.05, max_backoff_seconds=0.5
        )
        relay.start()
        try:
            before = [await create_widget(stack, f"before {i}") for i in range(5)]
            await eventually(lambda: len(seen["t.sms"]) >= 5, what="delivery before the outage")

            await switch.cut()
            during = [await create_widget(stack, f"during {i}") for i in range(20)]
            await asyncio.sleep(1.0)
            assert await pending(stack) == 20  # held in the outbox while the broker is away

            await switch.restore()
            everything = {e.id for e in before + during}
            for name in seen:
                await eventually(
                    lambda name=name: everything <= set(seen[name]),  # type: ignore[misc]
                    timeout=45,
                    what=f"{name} receives every event after the broker returns",
                )
            assert await pending(stack) == 0
            for name in seen:
                counts = await effect_counts(stack, name)
                assert set(counts) == everything
                assert max(counts.values()) == 1
        finally:
            await relay.stop()
