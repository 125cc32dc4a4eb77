"""From an event (a CloudEvent as a dict) to the typed facts the indicators are built on.

Every fact keeps the id and time of the event it came from. Optional fields may be missing
(a fact then carries ``None`` or a documented default); a field an indicator needs that is
missing or malformed makes the whole event a :class:`BadEvent` naming those fields, which
goes to the data-quality list instead of the rollups. Nothing here raises anything else for
bad input. Event types the KPIs do not use give no facts.

One module per event family (``requests``, ``payments``, ``licensing``, ``citizen``), the
field reader in ``reader``; this package joins their builders and keeps every public name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kpi_service.domain.days import WorkingDays
from kpi_service.domain.facts import citizen, licensing, payments, requests
from kpi_service.domain.facts.citizen import (
    SATISFACTION_VIA,
    SMS_KINDS,
    SatisfactionAnswered,
    SmsStatus,
)
from kpi_service.domain.facts.licensing import (
    DECISIONS,
    FINAL_DECISIONS,
    LICENCE_KINDS,
    CaseDecided,
    CaseOpened,
    InspectionRecorded,
    LicenceChanged,
)
from kpi_service.domain.facts.payments import PaymentRefunded, PaymentSucceeded
from kpi_service.domain.facts.reader import (
    CHANNELS,
    DIGITAL_CHANNELS,
    BadEvent,
    Builder,
    Dims,
    Reader,
    parse_instant,
)
from kpi_service.domain.facts.requests import (
    NON_STAFF_ROLES,
    OUTCOMES,
    RETURNED,
    Completed,
    Escalated,
    Filed,
    StatusChanged,
)

__all__ = [
    "CHANNELS",
    "DECISIONS",
    "DIGITAL_CHANNELS",
    "FINAL_DECISIONS",
    "LICENCE_KINDS",
    "NON_STAFF_ROLES",
    "OUTCOMES",
    "RETURNED",
    "SATISFACTION_VIA",
    "SMS_KINDS",
    "SOURCE_EVENTS",
    "BadEvent",
    "CaseDecided",
    "CaseOpened",
    "Completed",
    "Dims",
    "Escalated",
    "Fact",
    "Filed",
    "InspectionRecorded",
    "LicenceChanged",
    "PaymentRefunded",
    "PaymentSucceeded",
    "Reading",
    "SatisfactionAnswered",
    "SmsStatus",
    "StatusChanged",
    "facts_of",
    "order_key",
    "parse_instant",
    "read_events",
]

Fact = (
    Filed
    | StatusChanged
    | Completed
    | Escalated
    | PaymentSucceeded
    | PaymentRefunded
    | SmsStatus
    | CaseOpened
    | InspectionRecorded
    | CaseDecided
    | LicenceChanged
    | SatisfactionAnswered
)


def order_key(fact: Fact) -> tuple[datetime, str]:
    """The order facts are compared in: event time, ties broken by event id."""
    return (fact.at, fact.event_id)


_BUILDERS: dict[str, Builder[Fact | None]] = {
    **requests.BUILDERS,
    **payments.BUILDERS,
    **citizen.SMS_BUILDERS,
    **licensing.BUILDERS,
    **citizen.SATISFACTION_BUILDERS,
}

SOURCE_EVENTS: tuple[str, ...] = tuple(_BUILDERS)


def facts_of(
    event: Mapping[str, Any], *, working_days: WorkingDays | None = None
) -> tuple[Fact, ...]:
    """The facts one event gives; raises :class:`BadEvent` (and nothing else) for a bad one.

    ``working_days`` is used only for a ``request.completed`` that carries neither
    ``sla_met`` nor ``working_days_taken``: the working days from filing to completion
    (without pauses) are then compared with ``sla_days``.
    """
    raw_id, raw_type = event.get("id"), event.get("type")
    event_id = raw_id if isinstance(raw_id, str) else ""
    event_type = raw_type if isinstance(raw_type, str) else ""
    envelope = Reader(event_id, event_type, event)
    if not event_id:
        envelope.missing.append("id")
    if not event_type:
        envelope.missing.append("type")
    at = envelope.instant("time")
    data = event.get("data")
    if not isinstance(data, Mapping):
        envelope.missing.append("data")
    envelope.fail_if_bad()
    assert at is not None
    assert isinstance(data, Mapping)
    subject = event.get("subject") if isinstance(event.get("subject"), str) else None
    reader = Reader(event_id, event_type, data)
    builder = _BUILDERS.get(event_type)
    if builder is None:
        return ()
    fact = builder(reader, event_id, at, subject, working_days)
    reader.fail_if_bad()
    return () if fact is None else (fact,)


@dataclass(frozen=True, slots=True)
class Reading:
    """What a batch of events gave: the facts, and the events the KPIs could not use."""

    facts: tuple[Fact, ...]
    bad: tuple[BadEvent, ...]


def read_events(
    events: Iterable[Mapping[str, Any]], *, working_days: WorkingDays | None = None
) -> Reading:
    facts: list[Fact] = []
    bad: list[BadEvent] = []
    for event in events:
        try:
            facts.extend(facts_of(event, working_days=working_days))
        except BadEvent as problem:
            bad.append(problem)
    return Reading(tuple(facts), tuple(bad))
