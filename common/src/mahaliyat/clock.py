"""Time: the one clock interface, the Africa/Cairo zone and local dates.

Code that reads the time takes a :class:`Clock` (injected, so tests move time instead
of sleeping) and stores what it returns: an aware UTC instant. Local dates (working
days, "today" on a form, a date of birth's age) are Cairo dates of an instant, never
the UTC date: Egypt keeps daylight-saving time again since 2023, so the offset is +02:00
in winter and +03:00 in summer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

CAIRO = ZoneInfo("Africa/Cairo")


class Clock(Protocol):
    """Calling it gives the current instant, timezone-aware, in UTC."""

    def __call__(self) -> datetime: ...


class SystemClock:
    """The wall clock."""

    def __call__(self) -> datetime:
        return datetime.now(UTC)


system_clock: Clock = SystemClock()


def cairo_date(instant: datetime) -> date:
    """The Cairo calendar date of an instant (refuses naive datetimes)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(CAIRO).date()


def cairo_now(clock: Clock = system_clock) -> datetime:
    """The clock's current instant as Cairo local time (aware, zone Africa/Cairo)."""
    return clock().astimezone(CAIRO)


def cairo_today(clock: Clock = system_clock) -> date:
    """Today's date in Cairo by ``clock``."""
    return cairo_date(clock())


def cairo_start_of_day(day: date) -> datetime:
    """The instant (UTC) Cairo's ``day`` begins.

    Cairo's spring change skips local midnight (00:00 becomes 01:00): the day then
    begins at the change itself, which is what this returns.
    """
    return datetime.combine(day, time(0), tzinfo=CAIRO).astimezone(UTC)
