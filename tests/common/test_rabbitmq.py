"""The RabbitMQ bus when the broker is down at start: it keeps trying, then consumes.

RabbitMQ only: the in-process bus has no connection to lose. The broker sits
behind a TCP proxy the test owns; the machine's RabbitMQ is never stopped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from mahaliyat.events.rabbitmq import RabbitMQBus
from tests.support.stack import FAST_RETRY, Recorder, Stack, event, make_stack
from tests.support.tcpproxy import TcpProxy
from tests.support.waiting import eventually


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        await asyncio.sleep(0.02)


@pytest.fixture
async def broker(rabbitmq_url: str, tmp_path: Path) -> AsyncIterator[tuple[Stack, TcpProxy]]:
    """A RabbitMQ stack (queues cleaned up afterwards) and a proxy in front of the broker."""
    parts = urlsplit(rabbitmq_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5672)
    await proxy.start()
    try:
        async with make_stack(f"sqlite+aiosqlite:///{tmp_path}/bus.db", rabbitmq_url) as stack:
            yield stack, proxy
    finally:
        await proxy.close()


def through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", "reconnect_interval=0.2", ""))


def proxied_bus(stack: Stack, proxy: TcpProxy) -> RabbitMQBus:
    assert stack.broker_url is not None
    bus = RabbitMQBus(
        through(proxy, stack.broker_url),
        exchange=stack.exchange,
        queue_prefix=stack.queue_prefix,
        retry=FAST_RETRY,
        connect_timeout=2.0,
        publish_timeout=2.0,
        reconnect_min_seconds=0.05,
        reconnect_max_seconds=0.3,
    )
    stack.buses.append(bus)  # closed, and its queues deleted, by the stack
    return bus


def reconnect_tasks() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("rabbitmq-reconnect")]


async def test_a_bus_started_while_the_broker_is_down_consumes_once_it_returns(
    broker: tuple[Stack, TcpProxy],
) -> None:
    stack, proxy = broker
    await proxy.cut()
    bus = proxied_bus(stack, proxy)
    received = Recorder()
    bus.subscribe("t.late", ["test.#"], received)
    await bus.start()  # does not fail: it keeps trying in the background
    assert not await bus.is_ready()
    assert reconnect_tasks()

    await proxy.restore()
    await until(bus.is_ready, "the bus connects once the broker answers")
    assert not reconnect_tasks()  # the loop ends when connected

    publisher = stack.bus()  # another service, straight to the broker
    await publisher.start()
    sent = event(name="after the broker returned")
    await publisher.publish([sent.outgoing()])
    await eventually(lambda: sent.id in received.ids(), what="the consumer was declared late")


async def test_closing_a_bus_stops_its_reconnect_loop(broker: tuple[Stack, TcpProxy]) -> None:
    stack, proxy = broker
    await proxy.cut()
    bus = proxied_bus(stack, proxy)
    bus.subscribe("t.never", ["test.#"], Recorder())
    await bus.start()
    assert reconnect_tasks()
    await bus.close()
    assert not reconnect_tasks()
    await proxy.restore()
    await asyncio.sleep(0.5)  # a loop left running would connect now
    assert not await bus.is_ready()
