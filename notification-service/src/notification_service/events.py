"""The events this service reads (routed to templates: services/event_sms) and the ones it publishes.

Reading: an event's template key is its type, made more specific by a variant
taken from ``data.to`` (status changes) or ``data.outcome`` (completions):
``request.status_changed.approved`` is tried before ``request.status_changed``.
The recipient is ``data.applicant.phone`` or ``data.phone``; the language
``data.applicant.language`` or ``data.language`` (Arabic by default). A new
event type therefore needs a template (and its pattern in ``sms_event_patterns``),
not code. An event with no template sends nothing.

Publishing: ``notification.sms.sent`` / ``.delivered`` / ``.failed`` with
``message_id, reference, segments, encoding, provider, state`` (and the
template key, attempts and, for failures, the error code).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mahaliyat.events import CloudEvent

SOURCE = "/notification"
VARIANT_FIELDS = ("to", "outcome")
SENT, DELIVERED, FAILED = (
    "notification.sms.sent",
    "notification.sms.delivered",
    "notification.sms.failed",
)


def template_keys(event_type: str, data: Mapping[str, Any]) -> list[str]:
    """Template keys for an event, most specific first."""
    keys = [
        f"{event_type}.{data[field]}"
        for field in VARIANT_FIELDS
        if isinstance(data.get(field), str) and data[field]
    ]
    return [*keys, event_type]


def recipient_of(data: Mapping[str, Any]) -> tuple[str | None, str]:
    applicant = data.get("applicant")
    person: Mapping[str, Any] = applicant if isinstance(applicant, Mapping) else data
    phone = person.get("phone") or data.get("phone")
    language = person.get("language") or data.get("language")
    return (
        phone if isinstance(phone, str) and phone else None,
        language if language in ("ar", "en") else "ar",
    )


def reference_of(event: CloudEvent) -> str:
    tracking = event.data.get("tracking_number")
    if isinstance(tracking, str) and tracking:
        return tracking
    return event.subject or str(event.id)


def sms_event(
    event_type: str, message: Mapping[str, Any], *, time: datetime | None = None
) -> CloudEvent:
    data = {
        "message_id": str(message["id"]),
        "reference": message.get("reference"),
        "segments": message["segments"],
        "encoding": message["encoding"],
        "provider": message.get("provider"),
        "state": message["state"],
        "template_key": message.get("template_key"),
        "attempts": message.get("attempts", 0),
    }
    if event_type == FAILED:
        data["error_code"] = message.get("error_code")
    extra: dict[str, Any] = {"time": time} if time is not None else {}
    return CloudEvent(
        source=SOURCE, type=event_type, subject=str(message["id"]), data=data, **extra
    )
