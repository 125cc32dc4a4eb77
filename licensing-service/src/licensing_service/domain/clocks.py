"""Statutory clocks, and the rule for the time a case waits on the applicant.

Counting: a clock of N days started on day S ends on its *last day* ``add(S, N)``: the day
the clock starts is not counted, the Nth counted day after it is. The authority may still
act on the last day; the clock *runs out* when that day is over, so the system's deemed
approval (or a "past deadline" flag) belongs to the day after, never earlier.

Building permits count Cairo working days (26 without an insurance document, 40 with one).
The shop licence's 60 days, the notification inspection's 90 days and the temporary
licence's five years are calendar days and years: Law 154/2019 as reported says "days", not
working days (docs/licensing.md); "within a month" is a calendar month.

The pause rule: the clock pauses on the day the case goes back to the applicant (returned
for corrections, waiting for the inspection fee, waiting for the premises to comply) and
resumes on the day the applicant answers. The days counted up to and including the pause
day are used; those after it up to and including the resumption day are not; the remaining
days count from the resumption day on. A clock that had already run out before a pause stays
run out: a pause never revives it.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from licensing_service.domain.cases import Stage

BUILDING_WORKING_DAYS = 26
BUILDING_WORKING_DAYS_WITH_INSURANCE = 40
SHOP_DECISION_DAYS = 60
NOTIFICATION_INSPECTION_DAYS = 90
INSPECTION_FEE_MONTHS = 1
COMPLIANCE_GRANT_MONTHS = 1


class WorkingDays(Protocol):
    """Day arithmetic: the kernel's Cairo calendar (``mahaliyat.calendar``) satisfies it."""

    def add(self, start: date, days: int) -> date:
        """The ``days``-th counted day after ``start`` (``start`` itself for 0)."""
        ...

    def between(self, a: date, b: date) -> int:
        """How many counted days lie in (``a``, ``b``]; 0 when ``b`` is not after ``a``."""
        ...


class CalendarDays:
    """Every day counts: the :class:`WorkingDays` of clocks in calendar days."""

    def add(self, start: date, days: int) -> date:
        if days < 0:
            raise ValueError("days must not be negative")
        return start + timedelta(days=days)

    def between(self, a: date, b: date) -> int:
        return max((b - a).days, 0)


CALENDAR_DAYS = CalendarDays()


class Counting(StrEnum):
    WORKING = "working"
    CALENDAR = "calendar"


@dataclass(frozen=True, slots=True)
class StatutoryClock:
    name: str
    days: int
    counting: Counting

    def days_counter(self, working: WorkingDays) -> WorkingDays:
        return working if self.counting is Counting.WORKING else CALENDAR_DAYS


def building_permit_clock(with_insurance: bool) -> StatutoryClock:
    if with_insurance:
        return StatutoryClock(
            "building_permit", BUILDING_WORKING_DAYS_WITH_INSURANCE, Counting.WORKING
        )
    return StatutoryClock("building_permit", BUILDING_WORKING_DAYS, Counting.WORKING)


SHOP_DECISION_CLOCK = StatutoryClock("shop_decision", SHOP_DECISION_DAYS, Counting.CALENDAR)
NOTIFICATION_INSPECTION_CLOCK = StatutoryClock(
    "notification_inspection", NOTIFICATION_INSPECTION_DAYS, Counting.CALENDAR
)


@dataclass(frozen=True, slots=True)
class Pause:
    paused_on: date
    resumed_on: date | None = None  # None: still waiting on the applicant

    def __post_init__(self) -> None:
        if self.resumed_on is not None and self.resumed_on < self.paused_on:
            raise ValueError("a pause cannot end before it starts")


@dataclass(frozen=True, slots=True)
class ClockReading:
    last_day: date | None  # None while paused: the end depends on when the applicant answers
    remaining: int  # counted days left after today (0 on the last day, negative past it)
    paused: bool
    ran_out: bool  # the last day is over: deemed approval (or the overdue flag) is due


def _walk(
    started_on: date, days: int, pauses: Sequence[Pause], counter: WorkingDays
) -> tuple[date | None, int]:
    """The last day (None while paused with days left) and the days left at that point."""
    if days < 0:
        raise ValueError("days must not be negative")
    remaining, cursor = days, started_on
    for pause in sorted(pauses, key=lambda p: p.paused_on):
        if pause.paused_on < cursor:
            raise ValueError("pauses overlap or start before the clock")
        used = counter.between(cursor, pause.paused_on)
        if used >= remaining:
            return counter.add(cursor, remaining), 0
        remaining -= used
        if pause.resumed_on is None:
            return None, remaining
        cursor = pause.resumed_on
    return counter.add(cursor, remaining), remaining


def last_day(
    started_on: date, days: int, pauses: Sequence[Pause], counter: WorkingDays
) -> date | None:
    """The clock's last day after its pauses, or None while it is paused with days left."""
    return _walk(started_on, days, pauses, counter)[0]


def read_clock(
    started_on: date, days: int, pauses: Sequence[Pause], counter: WorkingDays, today: date
) -> ClockReading:
    """Where the clock stands on ``today``."""
    end, left = _walk(started_on, days, pauses, counter)
    if end is None:
        return ClockReading(None, left, paused=True, ran_out=False)
    if today <= end:
        return ClockReading(end, counter.between(today, end), paused=False, ran_out=False)
    return ClockReading(end, -counter.between(end, today), paused=False, ran_out=True)


def clock_ran_out(
    started_on: date, days: int, pauses: Sequence[Pause], counter: WorkingDays, today: date
) -> bool:
    """Whether the clock's last day is over on ``today`` (deemed approval is due)."""
    return read_clock(started_on, days, pauses, counter, today).ran_out


def clock_met(decided_on: date, end: date) -> bool:
    return decided_on <= end


@dataclass(frozen=True, slots=True)
class StageEntry:
    stage: Stage
    entered_on: date


# The case waits on the applicant in these stages: its clock is paused there.
WAITING_ON_APPLICANT = frozenset(
    {Stage.RETURNED_FOR_CORRECTIONS, Stage.AWAITING_INSPECTION_FEE, Stage.AWAITING_COMPLIANCE}
)


def pauses_from(
    history: Iterable[StageEntry], waiting: Collection[Stage] = WAITING_ON_APPLICANT
) -> tuple[Pause, ...]:
    """The pauses a case's stage history implies (entries in the order they happened)."""
    pauses: list[Pause] = []
    paused_on: date | None = None
    for entry in history:
        if entry.stage in waiting and paused_on is None:
            paused_on = entry.entered_on
        elif entry.stage not in waiting and paused_on is not None:
            pauses.append(Pause(paused_on, entry.entered_on))
            paused_on = None
    if paused_on is not None:
        pauses.append(Pause(paused_on))
    return tuple(pauses)


def add_months(start: date, months: int) -> date:
    """The same day ``months`` calendar months later, or that month's last day (31 Jan → 28 Feb)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def add_years(start: date, years: int) -> date:
    return add_months(start, 12 * years)


def inspection_fee_due(invoiced_on: date) -> date:
    """The last day to pay the inspection fee; the file is archived the day after."""
    return add_months(invoiced_on, INSPECTION_FEE_MONTHS)


def archive_for_unpaid_fee(invoiced_on: date, paid: bool, today: date) -> bool:
    return not paid and today > inspection_fee_due(invoiced_on)


def compliance_grant_due(reported_on: date) -> date:
    """The last day to grant the licence after the applicant reported compliance."""
    return add_months(reported_on, COMPLIANCE_GRANT_MONTHS)


def notification_receipt_due(filed_on: date) -> date:
    """A notification is acknowledged the day it is filed."""
    return filed_on


def notification_inspection_due(receipt_on: date) -> date:
    return CALENDAR_DAYS.add(receipt_on, NOTIFICATION_INSPECTION_DAYS)
