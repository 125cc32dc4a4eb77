"""SLA arithmetic in Africa/Cairo: Friday–Saturday weekend, public holidays, pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from request_service.domain.calendar import CAIRO, WorkingCalendar, local_date
from request_service.domain.holidays import EGYPT_PUBLIC_HOLIDAYS

EGYPT = WorkingCalendar.of(h.day for h in EGYPT_PUBLIC_HOLIDAYS)


def cairo(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=CAIRO).astimezone(
        UTC
    )


def end_of(day: str) -> datetime:
    """The instant a deadline falling on ``day`` expires: midnight after it, in Cairo."""
    following = date.fromordinal(date.fromisoformat(day).toordinal() + 1)
    return datetime.combine(following, time(0), tzinfo=CAIRO).astimezone(UTC)


def test_weekend_is_friday_and_saturday() -> None:
    plain = WorkingCalendar()
    week = [date(2026, 11, d) for d in range(22, 29)]  # Sunday 22 … Saturday 28
    assert [plain.is_working_day(d) for d in week] == [True, True, True, True, True, False, False]


@pytest.mark.parametrize(
    ("submitted", "days", "due"),
    [
        # Thursday: Friday and Saturday are skipped.
        ("2026-01-01", 3, "2026-01-06"),
        # Tuesday before Coptic Christmas (Wednesday 7 January).
        ("2026-01-06", 1, "2026-01-08"),
        # Across a weekend and 25 January (a Sunday).
        ("2026-01-21", 5, "2026-01-29"),
        # Across Eid al-Fitr 2026 (20–22 March, approximate) and a weekend.
        ("2026-03-19", 2, "2026-03-24"),
        # Across Sham El-Nessim (Monday 13 April) and Sinai Liberation Day (Saturday 25 April).
        ("2026-04-09", 3, "2026-04-15"),
        # 2027 fixed holidays are there too: 6 October 2027 is a Wednesday.
        ("2027-10-05", 1, "2027-10-07"),
    ],
)
def test_deadlines(submitted: str, days: int, due: str) -> None:
    assert EGYPT.deadline(cairo(submitted), days) == end_of(due)


def test_submission_after_midnight_cairo_counts_from_the_cairo_date() -> None:
    late = datetime(2026, 1, 21, 23, 30, tzinfo=UTC)  # 01:30 on Thursday 22 January in Cairo
    assert local_date(late) == date(2026, 1, 22)
    assert EGYPT.deadline(late, 1) == end_of("2026-01-26")  # Fri, Sat, Sun 25 Jan holiday


def test_deadline_on_the_daylight_saving_switch() -> None:
    # Clocks go forward at midnight starting Friday 24 April 2026 in Cairo.
    due = EGYPT.deadline(cairo("2026-04-22"), 1)
    assert due == end_of("2026-04-23")
    assert due.astimezone(CAIRO).hour in (0, 1)


def test_returned_time_does_not_count() -> None:
    submitted = cairo("2026-11-22")  # Sunday
    returned, resumed = cairo("2026-11-23"), cairo("2026-11-26", 15)  # Monday → Thursday
    paused = EGYPT.paused_days(returned, resumed)
    assert paused == 3  # Tuesday, Wednesday, Thursday
    assert EGYPT.deadline(submitted, 2) == end_of("2026-11-24")
    assert EGYPT.deadline(submitted, 2, paused) == end_of("2026-11-29")
    decided = cairo("2026-11-29", 12)
    assert EGYPT.working_days_taken(submitted, decided, paused) == 2


def test_a_pause_within_one_day_costs_nothing() -> None:
    assert EGYPT.paused_days(cairo("2026-11-23", 9), cairo("2026-11-23", 16)) == 0


def test_working_days_between() -> None:
    # (1 Jan, 8 Jan]: Sunday 4, Monday 5, Tuesday 6 and Thursday 8; Wednesday 7 is Coptic Christmas.
    assert EGYPT.working_days_between(date(2026, 1, 1), date(2026, 1, 8)) == 4
    assert EGYPT.working_days_between(date(2026, 1, 8), date(2026, 1, 1)) == 0


def test_holiday_data_marks_movable_feasts_approximate() -> None:
    approximate = {h.name_en for h in EGYPT_PUBLIC_HOLIDAYS if h.approximate}
    assert {"Eid al-Fitr", "Eid al-Adha", "Sham El-Nessim", "Islamic New Year"} <= approximate
    assert not any(
        h.approximate for h in EGYPT_PUBLIC_HOLIDAYS if h.day.month == 10 and h.day.day == 6
    )
