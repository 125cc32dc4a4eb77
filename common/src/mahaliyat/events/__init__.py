"""Events: CloudEvents envelope, transactional outbox and relay, idempotent inbox, buses."""

from mahaliyat.events.bus import (
    EventBus,
    InProcessBus,
    PublishRefused,
    RetryPolicy,
    connect,
    topic_matches,
)
from mahaliyat.events.envelope import CloudEvent
from mahaliyat.events.inbox import idempotent
from mahaliyat.events.outbox import OutboxRelay, record
from mahaliyat.events.tables import MESSAGING_METADATA, inbox, outbox

__all__ = [
    "MESSAGING_METADATA",
    "CloudEvent",
    "EventBus",
    "InProcessBus",
    "OutboxRelay",
    "PublishRefused",
    "RetryPolicy",
    "connect",
    "idempotent",
    "inbox",
    "outbox",
    "record",
    "topic_matches",
]
