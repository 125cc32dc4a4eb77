"""Working days in Africa/Cairo: the Friday–Saturday weekend and a public-holiday set.

Pure arithmetic over Cairo local dates; where an instant is given, its Cairo date is
what counts (:func:`mahaliyat.clock.cairo_date`), so an instant late in the evening
UTC may already be the next working day in Cairo.

A deadline of N working days ends at midnight (Cairo) after the Nth working day
following the day it starts; that day itself is not counted. Days paused (an
application waiting with the citizen, a statutory clock stopped) are added back with
:meth:`WorkingCalendar.extend`, counted after the deadline already set.

The holiday set is whatever the caller gives. :func:`egypt_holidays` builds Egypt's
from the ``holidays`` package (Arabic and English names, holidays moved to a
Thursday, Islamic feasts marked ``estimated`` until their date is fixed);
:func:`with_overrides` lays an authority's own decisions (an admin-kept table) over it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType

from holidays.countries.egypt import Egypt

from mahaliyat.clock import cairo_date, cairo_start_of_day

WEEKEND = frozenset({4, 5})  # Friday, Saturday (Monday is 0)
SEED_YEARS_BEFORE = 1
SEED_YEARS_AFTER = 2
_MAX_SCAN_DAYS = 3660  # a decade: no real deadline is longer; guards a holiday set gone wrong


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    name_ar: str
    name_en: str
    estimated: bool = False  # an expected date (a Hijri feast not yet fixed), not an announced one


def _local(day: date) -> date:
    """A date as given; an instant (a ``datetime``) as its Cairo date."""
    return cairo_date(day) if isinstance(day, datetime) else day


class WorkingCalendar:
    """Working-day arithmetic over a fixed holiday set (immutable)."""

    __slots__ = ("holidays",)

    holidays: Mapping[date, Holiday]

    def __init__(self, holidays: Mapping[date, Holiday] | None = None) -> None:
        object.__setattr__(self, "holidays", MappingProxyType(dict(holidays or {})))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("WorkingCalendar is immutable")

    @classmethod
    def of(cls, days: Iterable[date]) -> WorkingCalendar:
        """A calendar whose holidays are ``days`` (unnamed)."""
        return cls({d: Holiday(d, "عطلة رسمية", "Public holiday") for d in days})

    def holiday(self, day: date) -> Holiday | None:
        return self.holidays.get(_local(day))

    def is_working_day(self, day: date) -> bool:
        """Not a Friday, a Saturday or a holiday (an instant counts by its Cairo date)."""
        local = _local(day)
        return local.weekday() not in WEEKEND and local not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself when ``days`` is 0)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current, remaining = _local(start), days
        for _ in range(_MAX_SCAN_DAYS):
            if remaining == 0:
                return current
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        raise ValueError("no working days found; check the holiday table")

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in (``start``, ``end``]; 0 when ``end`` is not after ``start``.

        Instants count by their Cairo dates.
        """
        current, last = _local(start), _local(end)
        count = 0
        while current < last:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    # The short names licensing's and the KPIs' ``WorkingDays`` ports ask for.
    def add(self, start: date, days: int) -> date:
        return self.add_working_days(start, days)

    def between(self, start: date, end: date) -> int:
        return self.working_days_between(start, end)

    def deadline(self, started_at: datetime, days: int, paused_days: int = 0) -> datetime:
        """When ``days`` working days from ``started_at`` are up (an instant, UTC)."""
        last_day = self.add_working_days(cairo_date(started_at), days + paused_days)
        return cairo_start_of_day(last_day + timedelta(days=1))

    def extend(self, due_at: datetime, days: int) -> datetime:
        """A deadline moved on by ``days`` working days counted after its last day.

        The days up to the deadline already set are not counted again: a holiday
        added to the table since then does not move it (only the extension sees
        the table as it is now).
        """
        last_day = cairo_date(due_at) - timedelta(days=1)
        return cairo_start_of_day(self.add_working_days(last_day, days) + timedelta(days=1))

    def paused_days(self, paused_at: datetime, resumed_at: datetime) -> int:
        """Working days lost to one pause."""
        return self.working_days_between(paused_at, resumed_at)

    def working_days_taken(
        self, started_at: datetime, stopped_at: datetime, paused_days: int = 0
    ) -> int:
        return max(0, self.working_days_between(started_at, stopped_at) - paused_days)


def seed_years(
    today: date, before: int = SEED_YEARS_BEFORE, after: int = SEED_YEARS_AFTER
) -> range:
    """The years a seed covers around ``today``: ``before`` years back to ``after`` ahead."""
    if before < 0 or after < 0:
        raise ValueError("before and after must not be negative")
    return range(today.year - before, today.year + after + 1)


def egypt_holidays(years: Iterable[int]) -> dict[date, Holiday]:
    """Egypt's public holidays in ``years`` from the ``holidays`` package.

    A day with two holidays (a feast on a moved holiday) carries both names. Holidays
    moved to a Thursday are on the Thursday ("(observed)" / "(يوم تعويضي)" in the
    name). ``estimated`` marks Islamic feasts whose date the package computes rather
    than knows.
    """
    wanted = sorted(set(years))
    if not wanted:
        return {}
    arabic = Egypt(years=wanted, language="ar_EG", islamic_show_estimated=False)
    english = Egypt(years=wanted, language="en_US", islamic_show_estimated=False)
    labelled = Egypt(years=wanted, language="en_US", islamic_show_estimated=True)
    seed: dict[date, Holiday] = {}
    for day in sorted(english.keys()):
        seed[day] = Holiday(
            day=day,
            name_ar="؛ ".join(sorted(arabic.get_list(day))),
            name_en="; ".join(sorted(english.get_list(day))),
            estimated=sorted(labelled.get_list(day)) != sorted(english.get_list(day)),
        )
    return seed


def with_overrides(
    seed: Mapping[date, Holiday], overrides: Mapping[date, Holiday | None]
) -> dict[date, Holiday]:
    """``seed`` with an authority's decisions laid over it.

    ``overrides`` maps a date to the holiday it is (set) or to ``None`` (removed: a
    working day whatever the seed says).
    """
    merged = dict(seed)
    for day, holiday in overrides.items():
        if holiday is None:
            merged.pop(day, None)
        else:
            merged[day] = holiday
    return merged
