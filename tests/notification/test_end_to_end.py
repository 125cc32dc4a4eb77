"""End to end: request-service's outbox → the broker → the consumer → the sender → the sandbox.

On both stacks: SQLite with the in-process bus, and PostgreSQL with RabbitMQ.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

from mahaliyat.events import OutboxRelay, record
from mahaliyat.events.inbox import EVENTS_CONSUMED
from notification_service.services.sender import Sender
from tests.conftest import temporary_postgres_database
from tests.notification.support import CITIZEN, running, submitted
from tests.notification.test_events import ARABIC_SUBMITTED
from tests.support.stack import Stack
from tests.support.waiting import eventually


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 30.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"gave up waiting: {what}")


def duplicates_seen() -> float:
    return float(EVENTS_CONSUMED.labels("notification.event-sms", "duplicate")._value.get())


async def test_a_submitted_application_reaches_the_citizen_as_an_arabic_sms(
    stack: Stack, tmp_path: Path
) -> None:
    stopped: list[bool] = []
    async with AsyncExitStack() as resources:
        if stack.kind == "rabbitmq":
            url = await resources.enter_async_context(temporary_postgres_database())
        else:
            url = f"sqlite+aiosqlite:///{tmp_path}/notification.db"
        senders: list[Sender] = []  # checked after the service has stopped (callbacks run LIFO)
        resources.callback(lambda: stopped.extend(not s.is_running for s in senders))
        svc = await resources.enter_async_context(
            running(url, tmp_path, bus=stack.bus(), sender_enabled=True, sender_poll_seconds=0.05)
        )
        senders.append(svc.sender)
        assert svc.sender.is_running

        # request-service's side: the event is written with its change, then relayed.
        event = submitted()
        async with stack.database.unit_of_work() as uow:
            await record(uow.session, event)
        publisher = stack.bus()
        assert await OutboxRelay(stack.database, publisher, service="request").drain() == 1

        await eventually(lambda: bool(svc.sandbox.messages_to(CITIZEN)), what="the SMS")
        [sms] = svc.sandbox.messages_to(CITIZEN)
        assert sms.text == ARABIC_SUBMITTED
        assert (sms.encoding, sms.segments) == ("ucs2", 2)

        async def delivered() -> bool:
            found = await svc.messages()
            return len(found) == 1 and found[0].state == "delivered"

        await until(delivered, "the delivery receipt")
        message = await svc.one_message()
        assert (message.segments, message.provider, message.reference) == (
            2,
            "sandbox",
            "21-26-0004217-9",
        )
        sent = await svc.published("notification.sms.sent")
        assert [e.data["message_id"] for e in sent] == [str(message.id)]

        # The broker delivers the same event again: the inbox drops it, no second SMS.
        before = duplicates_seen()
        await publisher.publish([event.outgoing()])
        await eventually(lambda: duplicates_seen() == before + 1, what="the duplicate delivery")
        assert len(svc.sandbox.messages_to(CITIZEN)) == 1
        assert len(await svc.messages()) == 1
    assert stopped == [True]  # the sender loop ended with the service
