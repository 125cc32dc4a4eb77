"""Events through a real bus: SQLite with the in-process bus, and PostgreSQL with RabbitMQ.

The service publishes from its outbox through the relay and consumes
``payment.succeeded`` from its own durable queue; another "process" (a second
bus on the same broker) publishes the payment and watches what comes out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from mahaliyat.events import CloudEvent
from mahaliyat.events.inbox import EVENTS_CONSUMED
from tests.conftest import temporary_postgres_database
from tests.request.conftest import BUILDING_FILES, Harness, building, start, until
from tests.request.tokens import OFFICERS, People
from tests.support.stack import Recorder, Stack
from tests.support.waiting import eventually


def duplicates_dropped() -> float:
    return float(EVENTS_CONSUMED.labels("request.payments", "duplicate")._value.get())


@asynccontextmanager
async def on_the_stack(stack: Stack, tmp_path: Path) -> AsyncIterator[Harness]:
    """The service on the stack's broker, with its own database (PostgreSQL beside RabbitMQ)."""
    async with AsyncExitStack() as resources:
        if stack.kind == "rabbitmq":
            url = await resources.enter_async_context(temporary_postgres_database())
        else:
            url = f"sqlite+aiosqlite:///{tmp_path}/request.db"
        service = await resources.enter_async_context(
            start(url, tmp_path, bus=stack.bus(), relay_poll_seconds=0.05)
        )
        for officer in ("officer-giza-1", "officer-giza-2"):
            await service.register_officer(officer)
        yield service


def payment(application: dict[str, Any], amount: int) -> CloudEvent:
    return CloudEvent(
        source="/payment",
        type="payment.succeeded",
        data={
            "invoice_id": "inv-b1",
            "application_id": application["id"],
            "amount_piasters": amount,
        },
    )


async def awaiting_payment(service: Harness) -> dict[str, Any]:
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    app = await service.moved(People.clerk_hq, app, "under_review")
    return await service.moved(People.clerk_hq, app, "awaiting_payment")


async def test_a_payment_from_the_broker_moves_the_application(
    stack: Stack, tmp_path: Path
) -> None:
    async with on_the_stack(stack, tmp_path) as service:
        app = await awaiting_payment(service)
        payer = stack.bus()  # payment-service, another process
        event = payment(app, app["amount_due_piasters"])
        await payer.publish([event.outgoing()])

        async def moved() -> bool:
            return bool((await service.current(app["id"]))["state"] == "in_processing")

        await until(moved, what="the payment to be applied")
        app = await service.current(app["id"])
        assert app["paid_piasters"] == app["amount_due_piasters"]
        assert app["staff"]["assigned_officer_id"] in OFFICERS

        # The broker delivers it again: the inbox drops the duplicate, nothing moves twice.
        before = duplicates_dropped()
        await payer.publish([event.outgoing()])
        await eventually(lambda: duplicates_dropped() == before + 1, what="the duplicate")
        changes = await service.events("request.status_changed", app["id"])
        assert [(c["data"]["from"], c["data"]["to"]) for c in changes].count(
            ("awaiting_payment", "in_processing")
        ) == 1


async def test_each_change_is_published_once(stack: Stack, tmp_path: Path) -> None:
    watcher = stack.bus()  # a consumer elsewhere, bound before anything is published
    received = Recorder()
    watcher.subscribe("watch.requests", ["request.#"], received)
    await watcher.start()
    async with on_the_stack(stack, tmp_path) as service:
        app = await awaiting_payment(service)
        await stack.bus().publish([payment(app, app["amount_due_piasters"]).outgoing()])

        async def paid() -> bool:
            return bool((await service.current(app["id"]))["state"] == "in_processing")

        await until(paid, what="the payment to be applied")
        app = await service.current(app["id"])
        officer = OFFICERS[app["staff"]["assigned_officer_id"]]
        app = await service.moved(officer, app, "approved")
        app = await service.moved(officer, app, "ready_for_collection")
        app = await service.moved(People.clerk_hq, app, "delivered")

        written = await service.events(subject=app["id"])
        assert [e["type"] for e in written].count("request.completed") == 1

        async def all_arrived() -> bool:
            return {str(e.id) for e in received.deliveries} >= {e["id"] for e in written}

        await until(all_arrived, what="every event on the broker")
        ids = Counter(str(e.id) for e in received.deliveries if e.subject == app["id"])
        assert set(ids) == {e["id"] for e in written}
        assert set(ids.values()) == {1}  # none twice
        assert Counter(e.type for e in received.deliveries if e.subject == app["id"]) == {
            "request.submitted": 1,
            "request.status_changed": 6,
            "request.completed": 1,
        }
        moves = [
            (e.data["from"], e.data["to"])
            for e in received.deliveries
            if e.type == "request.status_changed"
        ]
        assert moves == [
            ("submitted", "under_review"),
            ("under_review", "awaiting_payment"),
            ("awaiting_payment", "in_processing"),
            ("in_processing", "approved"),
            ("approved", "ready_for_collection"),
            ("ready_for_collection", "delivered"),
        ]
