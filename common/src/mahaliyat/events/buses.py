"""The bus a URL names: the one place that knows every backend.

The interface (:mod:`mahaliyat.events.bus`) imports no backend; this factory imports
them all and picks one by the URL's scheme.
"""

from __future__ import annotations

from mahaliyat.events.bus import EventBus, RetryPolicy, SharedBus
from mahaliyat.events.rabbitmq import RabbitMQBus


def connect(
    url: str,
    *,
    exchange: str = "mahaliyat.events",
    queue_prefix: str = "",
    retry: RetryPolicy | None = None,
    prefetch: int = 32,
) -> EventBus:
    """The bus a URL names: ``memory://[name]`` (shared within the process) or ``amqp://…``."""
    if url.startswith("memory://"):
        return SharedBus(url.removeprefix("memory://") or "default", retry)
    if url.startswith(("amqp://", "amqps://")):
        return RabbitMQBus(
            url, exchange=exchange, queue_prefix=queue_prefix, retry=retry, prefetch=prefetch
        )
    raise ValueError(f"unsupported bus URL scheme: {url.split(':', 1)[0]!r}")
