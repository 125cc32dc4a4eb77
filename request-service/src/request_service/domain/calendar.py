"""Working days in Africa/Cairo: the Friday–Saturday weekend and the public-holiday table.

A deadline of N working days ends at midnight (Cairo) after the Nth working day
following the day of submission; the day of submission itself is not counted.
Working days spent in ``returned_to_citizen`` are added back: a pause from day P
to day R costs the working days in (P, R], added after the deadline already set
(:meth:`WorkingCalendar.extend`), which is never recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CAIRO = ZoneInfo("Africa/Cairo")
WEEKEND = frozenset({4, 5})  # Friday, Saturday (Monday is 0)
_MAX_SCAN_DAYS = 3660  # a decade: no real SLA is longer; guards a holiday table gone wrong


def local_date(moment: datetime) -> date:
    """The Cairo calendar date of an instant."""
    if moment.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return moment.astimezone(CAIRO).date()


def start_of_day(day: date) -> datetime:
    """The instant (UTC) Cairo's ``day`` begins."""
    return datetime.combine(day, time(0), tzinfo=CAIRO).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, holidays: Iterable[date]) -> WorkingCalendar:
        return cls(frozenset(holidays))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in WEEKEND and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself when ``days`` is 0)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current, remaining = start, days
        for _ in range(_MAX_SCAN_DAYS):
            if remaining == 0:
                return current
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        raise ValueError("no working days found; check the holiday table")

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in (``start``, ``end``]; 0 when ``end`` is not after ``start``."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    def deadline(self, submitted_at: datetime, sla_days: int, paused_days: int = 0) -> datetime:
        """When an application filed at ``submitted_at`` falls due (an instant, UTC)."""
        last_day = self.add_working_days(local_date(submitted_at), sla_days + paused_days)
        return start_of_day(last_day + timedelta(days=1))

    def extend(self, due_at: datetime, days: int) -> datetime:
        """A deadline moved on by ``days`` working days counted after its last day.

        The days up to the deadline already set are not counted again: a holiday
        added to the table since then does not move it (only the extension sees
        the table as it is now).
        """
        last_day = local_date(due_at) - timedelta(days=1)
        return start_of_day(self.add_working_days(last_day, days) + timedelta(days=1))

    def paused_days(self, returned_at: datetime, resumed_at: datetime) -> int:
        """Working days lost to one stay in ``returned_to_citizen``."""
        return self.working_days_between(local_date(returned_at), local_date(resumed_at))

    def working_days_taken(
        self, submitted_at: datetime, stopped_at: datetime, paused_days: int = 0
    ) -> int:
        taken = self.working_days_between(local_date(submitted_at), local_date(stopped_at))
        return max(0, taken - paused_days)
