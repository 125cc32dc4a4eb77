"""Data-quality checks, pure: silent centres, events missing needed fields, events from the future."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from kpi_service.domain.days import WorkingDays, cairo_date
from kpi_service.domain.facts import BadEvent, Fact, facts_of, parse_instant

__all__ = [
    "FutureEvent",
    "SilentCentre",
    "WorkingDays",
    "future_events",
    "last_seen_by_centre",
    "missing_fields",
    "silent_centres",
]


@dataclass(frozen=True, slots=True)
class SilentCentre:
    centre: str
    last_seen: date | None  # None: never sent an event
    working_days_silent: int | None


def last_seen_by_centre(facts: Iterable[Fact]) -> dict[str, date]:
    """The Cairo day of each centre's latest fact."""
    seen: dict[str, date] = {}
    for fact in facts:
        dims = getattr(fact, "dims", None)
        centre = dims.centre if dims is not None else None
        if centre:
            day = cairo_date(fact.at)
            if centre not in seen or seen[centre] < day:
                seen[centre] = day
    return seen


def silent_centres(
    centres: Iterable[str],
    last_seen: Mapping[str, date],
    today: date,
    days: int,
    working_days: WorkingDays,
) -> list[SilentCentre]:
    """Active centres with no event for ``days`` working days or more (never seen included)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    out: list[SilentCentre] = []
    for centre in sorted(set(centres)):
        seen = last_seen.get(centre)
        if seen is None:
            out.append(SilentCentre(centre, None, None))
            continue
        silent = working_days.between(seen, today)
        if silent >= days:
            out.append(SilentCentre(centre, seen, silent))
    return out


def missing_fields(events: Iterable[Mapping[str, Any]]) -> list[BadEvent]:
    """The events whose fields the indicators need are missing or malformed."""
    bad: list[BadEvent] = []
    for event in events:
        try:
            facts_of(event)
        except BadEvent as problem:
            bad.append(problem)
    return bad


@dataclass(frozen=True, slots=True)
class FutureEvent:
    event_id: str
    event_type: str
    time: datetime
    ahead: timedelta


def future_events(
    events: Iterable[Mapping[str, Any]], now: datetime, tolerance: timedelta
) -> list[FutureEvent]:
    """Events whose ``time`` (or ``data.at``) is later than ``now`` + ``tolerance``."""
    out: list[FutureEvent] = []
    limit = now + tolerance
    for event in events:
        data = event.get("data")
        stamps = [event.get("time"), data.get("at") if isinstance(data, Mapping) else None]
        times = [t for t in (parse_instant(s) for s in stamps) if t is not None]
        if not times:
            continue
        latest = max(times)
        if latest > limit:
            out.append(
                FutureEvent(
                    str(event.get("id") or ""), str(event.get("type") or ""), latest, latest - now
                )
            )
    return out
