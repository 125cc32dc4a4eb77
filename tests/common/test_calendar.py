"""The kernel's working-day calendar: Friday–Saturday weekend, holidays, Cairo dates, the seed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from mahaliyat.calendar import (
    Holiday,
    WorkingCalendar,
    egypt_holidays,
    seed_years,
    with_overrides,
)
from mahaliyat.clock import CAIRO

EGYPT = WorkingCalendar(egypt_holidays(range(2025, 2029)))


def cairo(day: str, hour: int = 10, minute: int = 0) -> datetime:
    local = datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=CAIRO)
    return local.astimezone(UTC)


def end_of(day: str) -> datetime:
    """The instant a deadline falling on ``day`` expires: midnight after it, in Cairo."""
    following = date.fromordinal(date.fromisoformat(day).toordinal() + 1)
    return datetime.combine(following, time(0), tzinfo=CAIRO).astimezone(UTC)


def test_weekend_is_friday_and_saturday() -> None:
    plain = WorkingCalendar()
    week = [date(2026, 11, d) for d in range(22, 29)]  # Sunday 22 … Saturday 28
    assert [plain.is_working_day(d) for d in week] == [True, True, True, True, True, False, False]


def test_holidays_are_skipped() -> None:
    calendar = WorkingCalendar.of([date(2026, 11, 24), date(2026, 11, 25)])  # Tue, Wed
    assert calendar.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 26)
    assert calendar.add_working_days(date(2026, 11, 23), 2) == date(2026, 11, 29)  # after Fri–Sat
    assert calendar.add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
    assert calendar.working_days_between(date(2026, 11, 22), date(2026, 11, 29)) == 3
    assert calendar.working_days_between(date(2026, 11, 29), date(2026, 11, 22)) == 0
    assert calendar.holiday(date(2026, 11, 24)) is not None
    assert calendar.holiday(date(2026, 11, 26)) is None


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        WorkingCalendar().add_working_days(date(2026, 1, 1), -1)


def test_a_calendar_without_working_days_says_so() -> None:
    every_day = WorkingCalendar.of(
        date.fromordinal(date(2026, 1, 1).toordinal() + n) for n in range(4000)
    )
    with pytest.raises(ValueError, match="holiday table"):
        every_day.add_working_days(date(2026, 1, 1), 1)


def test_counting_spans_years() -> None:
    # Tuesday 29 December 2026 + 7: Wed 30, Thu 31, Sun 3, Mon 4, Tue 5, Wed 6, (Thu 7 Coptic
    # Christmas 2027), Sun 10.
    assert EGYPT.add_working_days(date(2026, 12, 29), 7) == date(2027, 1, 10)
    assert EGYPT.working_days_between(date(2026, 12, 29), date(2027, 1, 10)) == 7
    assert EGYPT.deadline(cairo("2026-12-29"), 7) == end_of("2027-01-10")


def test_instants_count_by_their_cairo_date() -> None:
    late = datetime(2026, 1, 21, 23, 30, tzinfo=UTC)  # 01:30 on Thursday 22 January in Cairo
    assert EGYPT.deadline(late, 1) == end_of("2026-01-25")  # Sunday: 25 January moved to Thu 29
    assert not EGYPT.is_working_day(datetime(2026, 11, 26, 22, 30, tzinfo=UTC))  # Fri in Cairo
    assert EGYPT.is_working_day(datetime(2026, 11, 26, 21, 30, tzinfo=UTC))  # Thu 23:30 in Cairo
    # Working days between two instants: (Thu 22 Jan, Tue 27 Jan] by Cairo dates.
    assert EGYPT.working_days_between(late, cairo("2026-01-27", 1)) == 3


def test_summer_time_puts_late_evening_utc_on_the_next_cairo_day() -> None:
    # Egypt keeps daylight-saving time since 2023: +03:00 in summer. 21:30 UTC on Wednesday
    # 1 July 2026 is 00:30 on Thursday 2 July in Cairo (a fixed +02:00 would say Wednesday).
    moment = datetime(2026, 7, 1, 21, 30, tzinfo=UTC)
    assert EGYPT.holiday(moment) is not None  # 2 July: 30 June Revolution, moved to Thursday
    assert EGYPT.working_days_between(moment, cairo("2026-07-05")) == 1  # Sunday 5 only


def test_the_spring_switch() -> None:
    # Friday 24 April 2026 begins at 22:00 UTC on Thursday: 00:00 +02:00 is 01:00 +03:00.
    assert EGYPT.is_working_day(datetime(2026, 4, 23, 21, 59, tzinfo=UTC))  # Thursday 23:59
    assert not EGYPT.is_working_day(datetime(2026, 4, 23, 22, 0, tzinfo=UTC))  # Friday 01:00
    due = EGYPT.deadline(cairo("2026-04-22"), 1)
    assert due == datetime(2026, 4, 23, 22, 0, tzinfo=UTC) == end_of("2026-04-23")


def test_the_autumn_switch() -> None:
    # Thursday 29 October 2026 has 23:00–24:00 twice: +03:00 until 21:00 UTC, then +02:00.
    assert EGYPT.is_working_day(datetime(2026, 10, 29, 20, 30, tzinfo=UTC))  # 23:30 +03:00
    assert EGYPT.is_working_day(datetime(2026, 10, 29, 21, 30, tzinfo=UTC))  # 23:30 +02:00
    assert not EGYPT.is_working_day(datetime(2026, 10, 29, 22, 0, tzinfo=UTC))  # Friday
    # Due at the end of Thursday 29: Cairo midnight at +02:00 again, 22:00 UTC (not 21:00).
    assert EGYPT.deadline(cairo("2026-10-28"), 1) == datetime(2026, 10, 29, 22, 0, tzinfo=UTC)


def test_a_pause_is_added_after_the_deadline_already_set() -> None:
    submitted = cairo("2026-11-22")  # Sunday
    returned, resumed = cairo("2026-11-23"), cairo("2026-11-26", 15)  # Monday → Thursday
    paused = EGYPT.paused_days(returned, resumed)
    assert paused == 3  # Tuesday, Wednesday, Thursday
    due = EGYPT.deadline(submitted, 2)
    assert due == end_of("2026-11-24")
    assert EGYPT.deadline(submitted, 2, paused) == end_of("2026-11-29")
    assert EGYPT.extend(due, paused) == end_of("2026-11-29")
    assert EGYPT.working_days_taken(submitted, cairo("2026-11-29", 12), paused) == 2
    assert EGYPT.paused_days(cairo("2026-11-23", 9), cairo("2026-11-23", 16)) == 0


def test_the_egypt_seed_has_arabic_and_english_names_moved_and_estimated_days() -> None:
    christmas = EGYPT.holidays[date(2026, 1, 7)]
    assert (christmas.name_ar, christmas.name_en, christmas.estimated) == (
        "عيد الميلاد المجيد",
        "Coptic Christmas Day",
        False,
    )
    # Egypt moves some holidays to a Thursday: 25 January 2026 (a Sunday) is kept on the 29th.
    assert date(2026, 1, 25) not in EGYPT.holidays
    moved = EGYPT.holidays[date(2026, 1, 29)]
    assert "(observed)" in moved.name_en
    assert "تعويضي" in moved.name_ar
    # Hijri feasts the package computes are marked estimated; their names carry no label.
    fitr_2027 = EGYPT.holidays[date(2027, 3, 9)]
    assert fitr_2027.estimated
    assert fitr_2027.name_en == "Eid al-Fitr"
    assert fitr_2027.name_ar == "عيد الفطر المبارك"
    assert not EGYPT.holidays[date(2027, 10, 7)].estimated  # Armed Forces Day (moved)
    # Two holidays on one day keep both names.
    assert "; " in EGYPT.holidays[date(2028, 5, 4)].name_en
    assert {h.day.year for h in EGYPT.holidays.values()} == {2025, 2026, 2027, 2028}


def test_seed_years_are_configurable() -> None:
    assert seed_years(date(2026, 11, 24)) == range(2025, 2029)
    assert seed_years(date(2026, 1, 1), before=0, after=0) == range(2026, 2027)
    with pytest.raises(ValueError, match="negative"):
        seed_years(date(2026, 1, 1), before=-1)
    assert egypt_holidays([]) == {}


def test_the_authority_overrides_the_seed() -> None:
    seed = egypt_holidays([2026])
    announced = Holiday(date(2026, 3, 22), "عيد الفطر", "Eid al-Fitr (announced)")
    merged = with_overrides(seed, {date(2026, 1, 7): None, date(2026, 3, 22): announced})
    calendar = WorkingCalendar(merged)
    assert calendar.is_working_day(date(2026, 1, 7))  # removed by the admins
    assert calendar.holiday(date(2026, 3, 22)) == announced  # set by the admins
    assert date(2026, 1, 7) in seed  # the seed itself is untouched
    assert not WorkingCalendar(seed).is_working_day(date(2026, 1, 7))


def test_a_calendar_is_immutable() -> None:
    calendar = WorkingCalendar.of([date(2026, 1, 7)])
    with pytest.raises(AttributeError):
        calendar.holidays = {}
    with pytest.raises(TypeError):
        calendar.holidays[date(2026, 1, 8)] = Holiday(date(2026, 1, 8), "", "")  # type: ignore[index]


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        EGYPT.deadline(datetime(2026, 1, 1, 10, 0), 1)


def test_the_kernel_calendar_is_the_working_days_licensing_and_the_kpis_are_given() -> None:
    from kpi_service.domain.days import WorkingDays as KpiWorkingDays
    from licensing_service.domain.clocks import WorkingDays as LicensingWorkingDays

    calendar = WorkingCalendar.of([date(2026, 12, 7)])  # a Monday made a holiday
    kpi: KpiWorkingDays = calendar
    licensing: LicensingWorkingDays = calendar
    # Thursday 3 December + 2 working days: Friday and Saturday are the weekend, Monday is off.
    assert licensing.add(date(2026, 12, 3), 2) == date(2026, 12, 8)
    assert kpi.between(date(2026, 12, 3), date(2026, 12, 8)) == 2
