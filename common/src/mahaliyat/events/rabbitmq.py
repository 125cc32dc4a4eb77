"""The RabbitMQ event bus (aio-pika).

Topology, per consumer queue ``Q`` bound to the durable topic exchange:

- ``Q``            durable, the handler consumes it with manual acks;
- ``Q.retry.N``    durable, no consumer, ``x-message-ttl`` = the Nth delay and
                   dead-lettering back to ``Q`` through the default exchange;
- ``Q.dlq``        durable, where a message lands, unchanged, after the last attempt.

A failed message is first copied (confirmed) to its retry or dead-letter queue and
only then acknowledged, so a crash in between duplicates it rather than losing it.

Connecting: once connected, aio-pika's robust connection reconnects by itself and
restores the channels, queues, bindings and consumers declared through it. If the
broker is down when the bus starts, there is no connection yet to be robust, so
the bus keeps trying in the background (doubling the pause up to
``reconnect_max_seconds``) and declares every subscription when it gets through.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Sequence
from typing import Any

import aio_pika
import aio_pika.exceptions
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractRobustConnection,
)
from pydantic import ValidationError

from mahaliyat.events.bus import Handler, PublishRefused, RetryPolicy, Subscription
from mahaliyat.events.envelope import CONTENT_TYPE, CloudEvent, Outgoing

log = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-mahaliyat-attempt"
ERROR_HEADER = "x-mahaliyat-error"

# Failures caused by the message itself (it cannot be encoded, the broker nacked or
# rejected it); anything else (connection, channel state, timeout) is an outage.
_REFUSALS: tuple[type[BaseException], ...] = (
    TypeError,
    ValueError,
    OverflowError,
    struct.error,
    aio_pika.exceptions.DeliveryError,
    aio_pika.exceptions.ChannelPreconditionFailed,
)


class RabbitMQBus:
    def __init__(
        self,
        url: str,
        *,
        exchange: str = "mahaliyat.events",
        queue_prefix: str = "",
        retry: RetryPolicy | None = None,
        prefetch: int = 32,
        publish_timeout: float = 10.0,
        connect_timeout: float = 5.0,
        reconnect_min_seconds: float = 0.5,
        reconnect_max_seconds: float = 15.0,
    ) -> None:
        self.url = url
        self.exchange_name = exchange
        self.queue_prefix = queue_prefix
        self.retry = retry or RetryPolicy()
        self.prefetch = prefetch
        self.publish_timeout = publish_timeout
        self.connect_timeout = connect_timeout
        self.reconnect_min_seconds = reconnect_min_seconds
        self.reconnect_max_seconds = reconnect_max_seconds
        self._subscriptions: list[Subscription] = []
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._lock = asyncio.Lock()
        self._reconnector: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def queue_name(self, queue: str) -> str:
        return f"{self.queue_prefix}{queue}"

    async def start(self) -> None:
        """Connect and declare; if the broker is down, keep trying in the background."""
        try:
            await self._connect()
        except Exception as exc:
            log.warning("RabbitMQ unreachable at start, will keep trying: %s", exc)
            if self._reconnector is None or self._reconnector.done():
                self._reconnector = asyncio.create_task(
                    self._keep_connecting(), name=f"rabbitmq-reconnect-{self.queue_prefix}"
                )

    async def _keep_connecting(self) -> None:
        pause = self.reconnect_min_seconds
        while True:
            await asyncio.sleep(pause)
            try:
                await self._connect()
            except Exception as exc:
                pause = min(pause * 2, self.reconnect_max_seconds)
                log.warning("RabbitMQ still unreachable, next try in %.1fs: %s", pause, exc)
            else:
                log.info("connected to RabbitMQ; %d consumer(s) declared", len(self._subscriptions))
                return

    async def _connect(self) -> AbstractExchange:
        async with self._lock:
            if self._exchange is not None and self._connection and not self._connection.is_closed:
                return self._exchange
            connection = await aio_pika.connect_robust(
                self.url,
                timeout=self.connect_timeout,
                client_properties={"connection_name": "mahaliyat"},
            )
            try:
                channel = await connection.channel(publisher_confirms=True)
                exchange = await channel.declare_exchange(
                    self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
                )
                for subscription in self._subscriptions:
                    await self._consume(connection, subscription)
            except BaseException:
                await connection.close()
                raise
            self._connection, self._publish_channel, self._exchange = connection, channel, exchange
            return exchange

    async def close(self) -> None:
        reconnector, self._reconnector = self._reconnector, None
        pending = [t for t in (reconnector, *self._tasks) if t is not None]
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        connection, self._connection = self._connection, None
        self._exchange = self._publish_channel = None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()

    async def is_ready(self) -> bool:
        return (
            self._connection is not None
            and not self._connection.is_closed
            and self._publish_channel is not None
            and not self._publish_channel.is_closed
        )

    def subscribe(self, queue: str, patterns: Sequence[str], handler: Handler) -> None:
        subscription = Subscription(self.queue_name(queue), tuple(patterns), handler)
        self._subscriptions.append(subscription)
        if self._connection is not None:
            task = asyncio.create_task(self._consume(self._connection, subscription))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def publish(self, events: Sequence[Outgoing]) -> None:
        exchange = self._exchange if await self.is_ready() else None
        if exchange is None:
            exchange = await self._connect()
        results = await asyncio.gather(
            *(
                exchange.publish(
                    _message(event),
                    routing_key=event.type,
                    mandatory=False,
                    timeout=self.publish_timeout,
                )
                for event in events
            ),
            return_exceptions=True,
        )
        failures = [
            (e, r) for e, r in zip(events, results, strict=True) if isinstance(r, BaseException)
        ]
        if not failures:
            return
        for _event, error in failures:
            if not isinstance(error, _REFUSALS):
                raise error  # an outage (or a cancellation): nothing is blamed
        raise PublishRefused({event.id: repr(error)[:500] for event, error in failures})

    async def _consume(
        self, connection: AbstractRobustConnection, subscription: Subscription
    ) -> None:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=self.prefetch)
        exchange = await channel.declare_exchange(
            self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        name = subscription.queue
        queue = await channel.declare_queue(name, durable=True)
        for pattern in subscription.patterns:
            await queue.bind(exchange, routing_key=pattern)
        for level, delay in enumerate(self._delays(), start=1):
            await channel.declare_queue(
                f"{name}.retry.{level}",
                durable=True,
                arguments={
                    "x-message-ttl": delay,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": name,
                },
            )
        await channel.declare_queue(f"{name}.dlq", durable=True)

        async def on_message(message: AbstractIncomingMessage) -> None:
            await self._handle(channel, subscription, message)

        await queue.consume(on_message)

    def _delays(self) -> list[int]:
        return [self.retry.delay_ms(n) for n in range(1, self.retry.max_attempts)]

    async def _handle(
        self, channel: AbstractChannel, subscription: Subscription, message: AbstractIncomingMessage
    ) -> None:
        attempt = int(str((message.headers or {}).get(ATTEMPT_HEADER, 1)))
        try:
            event = CloudEvent.from_json(message.body)
        except (ValidationError, ValueError) as exc:
            await self._park(
                channel, subscription.queue, message, f"{subscription.queue}.dlq", attempt, exc
            )
            return
        try:
            await subscription.handler(event)
        except Exception as exc:
            if attempt >= self.retry.max_attempts:
                log.error("dead-lettering %s after %d attempts: %r", event.id, attempt, exc)
                target = f"{subscription.queue}.dlq"
            else:
                log.warning("handler failed for %s (attempt %d): %r", event.id, attempt, exc)
                target = f"{subscription.queue}.retry.{attempt}"
            await self._park(channel, subscription.queue, message, target, attempt + 1, exc)
            return
        await message.ack()

    async def _park(
        self,
        channel: AbstractChannel,
        queue: str,
        message: AbstractIncomingMessage,
        target: str,
        attempt: int,
        exc: BaseException,
    ) -> None:
        headers: dict[str, Any] = dict(message.headers or {})
        headers[ATTEMPT_HEADER] = attempt
        headers[ERROR_HEADER] = repr(exc)[:500]
        copy = aio_pika.Message(
            body=message.body,
            headers=headers,
            content_type=message.content_type,
            message_id=message.message_id,
            type=message.type,
            timestamp=message.timestamp,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        try:
            await channel.default_exchange.publish(
                copy, routing_key=target, timeout=self.publish_timeout
            )
        except Exception as publish_error:
            log.error("could not move message from %s to %s: %r", queue, target, publish_error)
            with contextlib.suppress(Exception):
                await message.nack(requeue=True)
            return
        await message.ack()


def _message(event: Outgoing) -> aio_pika.Message:
    return aio_pika.Message(
        body=event.body,
        content_type=CONTENT_TYPE,
        message_id=event.id,
        type=event.type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers={ATTEMPT_HEADER: 1},
    )
