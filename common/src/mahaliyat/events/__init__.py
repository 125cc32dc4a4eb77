"""Events: CloudEvents envelope, transactional outbox and relay, idempotent inbox, buses.

The bus a URL names comes from :func:`mahaliyat.events.buses.connect`, the one module that
imports the backends.
"""

from mahaliyat.events.bus import (
    EventBus,
    InProcessBus,
    PublishRefused,
    RetryPolicy,
    topic_matches,
)
from mahaliyat.events.envelope import CloudEvent
from mahaliyat.events.inbox import idempotent
from mahaliyat.events.outbox import record
from mahaliyat.events.relay import OutboxRelay
from mahaliyat.events.tables import MESSAGING_METADATA, inbox, outbox

__all__ = [
    "MESSAGING_METADATA",
    "CloudEvent",
    "EventBus",
    "InProcessBus",
    "OutboxRelay",
    "PublishRefused",
    "RetryPolicy",
    "idempotent",
    "inbox",
    "outbox",
    "record",
    "topic_matches",
]
