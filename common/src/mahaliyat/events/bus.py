"""The event bus interface and the in-process implementation used when embedded.

A subscription is a named durable queue bound to routing-key patterns (AMQP topic
syntax: ``*`` one word, ``#`` zero or more). A handler that raises is retried
after the policy's delays; after ``max_attempts`` the message is dead-lettered
intact. Nothing is dropped unprocessed.

Publishing fails in one of two ways. :class:`PublishRefused` names the events the
broker refused *themselves* (every other event of the call was taken): the relay
blames those rows and moves on. Any other exception means the broker could not be
reached or did not answer; nothing is blamed and the whole batch is tried again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from mahaliyat.events.envelope import CloudEvent, Outgoing

log = logging.getLogger(__name__)

Handler = Callable[[CloudEvent], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Delays before the 2nd, 3rd, … attempt; the last delay repeats if attempts exceed them."""

    max_attempts: int = 5
    delays_ms: tuple[int, ...] = (1_000, 5_000, 30_000, 120_000)

    def delay_ms(self, attempt: int) -> int:
        """Delay after failed attempt number ``attempt`` (1-based)."""
        return self.delays_ms[min(attempt, len(self.delays_ms)) - 1]


@dataclass(frozen=True, slots=True)
class Subscription:
    queue: str
    patterns: tuple[str, ...]
    handler: Handler


# An AMQP routing key is a short string: at most 255 bytes of UTF-8.
MAX_ROUTING_KEY_BYTES = 255


class PublishRefused(Exception):
    """The broker refused these events (by id, with the reason); the call's other events were taken."""

    def __init__(self, refused: Mapping[str, str]) -> None:
        self.refused = dict(refused)
        first = next(iter(self.refused.items()), ("", ""))
        super().__init__(f"{len(self.refused)} event(s) refused, e.g. {first[0]}: {first[1]}")


@dataclass(frozen=True, slots=True)
class DeadLetter:
    queue: str
    body: bytes
    attempts: int
    error: str


class EventBus(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, events: Sequence[Outgoing]) -> None:
        """Return only when the broker has taken every event (publisher confirms).

        Raise :class:`PublishRefused` when the broker refused some events themselves
        and took all the others; any other exception when it could not be reached.
        """

    def subscribe(self, queue: str, patterns: Sequence[str], handler: Handler) -> None: ...

    async def is_ready(self) -> bool: ...


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is exactly one word, ``#`` zero or more."""
    return _words_match(tuple(pattern.split(".")), tuple(routing_key.split(".")))


@lru_cache(maxsize=4096)
def _words_match(pattern: tuple[str, ...], key: tuple[str, ...]) -> bool:
    if not pattern:
        return not key
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_words_match(rest, key[i:]) for i in range(len(key) + 1))
    if not key:
        return False
    return (head in ("*", key[0])) and _words_match(rest, key[1:])


@dataclass
class _Queue:
    subscription: Subscription
    items: asyncio.Queue[tuple[bytes, int]] = field(default_factory=asyncio.Queue)
    worker: asyncio.Task[None] | None = None


class InProcessBus:
    """Delivers within one process, with the same retry and dead-letter rules as RabbitMQ.

    Queues live in memory: they survive broker-free restarts of nothing. That is
    acceptable embedded because the outbox, not the bus, is the durable record.
    """

    def __init__(self, retry: RetryPolicy | None = None) -> None:
        self.retry = retry or RetryPolicy()
        self._queues: dict[str, _Queue] = {}
        self._timers: set[asyncio.Task[None]] = set()
        self._started = False
        self.dead_letters: list[DeadLetter] = []

    async def start(self) -> None:
        self._started = True
        for queue in self._queues.values():
            self._start_worker(queue)

    async def close(self) -> None:
        self._started = False
        tasks = [q.worker for q in self._queues.values() if q.worker] + list(self._timers)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for queue in self._queues.values():
            queue.worker = None
        self._timers.clear()

    async def is_ready(self) -> bool:
        return self._started

    def subscribe(self, queue: str, patterns: Sequence[str], handler: Handler) -> None:
        if queue in self._queues:
            raise ValueError(f"queue {queue!r} already has a handler")
        entry = _Queue(Subscription(queue, tuple(patterns), handler))
        self._queues[queue] = entry
        if self._started:
            self._start_worker(entry)

    async def publish(self, events: Sequence[Outgoing]) -> None:
        refused: dict[str, str] = {}
        for event in events:
            if len(event.type.encode()) > MAX_ROUTING_KEY_BYTES:  # as RabbitMQ would refuse it
                refused[event.id] = f"routing key longer than {MAX_ROUTING_KEY_BYTES} bytes"
                continue
            for queue in self._queues.values():
                if any(topic_matches(p, event.type) for p in queue.subscription.patterns):
                    queue.items.put_nowait((event.body, 1))
        if refused:
            raise PublishRefused(refused)

    async def join(self) -> None:
        """Wait until every queue is empty and nothing is waiting to be retried (tests)."""
        while True:
            for queue in self._queues.values():
                await queue.items.join()
            if not self._timers and all(q.items.empty() for q in self._queues.values()):
                return
            await asyncio.sleep(0.01)

    def _start_worker(self, queue: _Queue) -> None:
        if queue.worker is None:
            queue.worker = asyncio.create_task(
                self._work(queue), name=f"bus-{queue.subscription.queue}"
            )

    async def _work(self, queue: _Queue) -> None:
        subscription = queue.subscription
        while True:
            body, attempt = await queue.items.get()
            try:
                await subscription.handler(CloudEvent.from_json(body))
            except asyncio.CancelledError:
                queue.items.put_nowait((body, attempt))  # kept for the next start
                queue.items.task_done()
                raise
            except Exception as exc:
                self._failed(queue, body, attempt, exc)
                queue.items.task_done()
            else:
                queue.items.task_done()

    def _failed(self, queue: _Queue, body: bytes, attempt: int, exc: Exception) -> None:
        name = queue.subscription.queue
        if attempt >= self.retry.max_attempts:
            log.error("dead-lettering after %d attempts on %s: %s", attempt, name, exc)
            self.dead_letters.append(DeadLetter(name, body, attempt, repr(exc)))
            return
        delay = self.retry.delay_ms(attempt) / 1000
        log.warning("handler failed on %s (attempt %d), retrying in %.2fs", name, attempt, delay)

        async def later() -> None:
            await asyncio.sleep(delay)
            queue.items.put_nowait((body, attempt + 1))

        timer = asyncio.create_task(later())
        self._timers.add(timer)
        timer.add_done_callback(self._timers.discard)


# In-process buses by name, with how many services hold each; the last to close removes it.
_shared_buses: dict[str, tuple[InProcessBus, int]] = {}


class SharedBus:
    """One service's handle on a process-wide in-process bus named by the URL."""

    def __init__(self, name: str, retry: RetryPolicy | None = None) -> None:
        self.name = name
        if name not in _shared_buses:
            _shared_buses[name] = (InProcessBus(retry), 0)
        self.inner = _shared_buses[name][0]
        self._open = False

    async def start(self) -> None:
        if not self._open:
            self._open = True
            bus, users = _shared_buses.get(self.name, (self.inner, 0))
            _shared_buses[self.name] = (bus, users + 1)
            await self.inner.start()

    async def close(self) -> None:
        if not self._open:
            return
        self._open = False
        bus, users = _shared_buses[self.name]
        if users <= 1:
            del _shared_buses[self.name]
            await bus.close()
        else:
            _shared_buses[self.name] = (bus, users - 1)

    async def publish(self, events: Sequence[Outgoing]) -> None:
        await self.inner.publish(events)

    def subscribe(self, queue: str, patterns: Sequence[str], handler: Handler) -> None:
        self.inner.subscribe(queue, patterns, handler)

    async def is_ready(self) -> bool:
        return self._open and await self.inner.is_ready()
