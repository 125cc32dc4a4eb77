"""Statutory clocks: 26 or 40 Cairo working days, 60 calendar days, pauses, deemed approval."""

from __future__ import annotations

from datetime import date

import pytest

from licensing_service.domain.cases import Stage
from licensing_service.domain.clocks import (
    CALENDAR_DAYS,
    SHOP_DECISION_CLOCK,
    Pause,
    StageEntry,
    add_months,
    archive_for_unpaid_fee,
    building_permit_clock,
    clock_met,
    clock_ran_out,
    compliance_grant_due,
    inspection_fee_due,
    last_day,
    notification_inspection_due,
    notification_receipt_due,
    pauses_from,
    read_clock,
)
from tests.licensing.calendars import FridaySaturdayWeek

SUNDAY = date(2026, 3, 1)
WEEK = FridaySaturdayWeek()


def test_26_working_days_skip_fridays_and_saturdays() -> None:
    clock = building_permit_clock(with_insurance=False)
    assert clock.days == 26
    assert last_day(SUNDAY, clock.days, (), clock.days_counter(WEEK)) == date(2026, 4, 6)


def test_40_working_days_with_an_insurance_document() -> None:
    clock = building_permit_clock(with_insurance=True)
    assert last_day(SUNDAY, clock.days, (), clock.days_counter(WEEK)) == date(2026, 4, 26)


def test_holidays_move_the_last_day_on() -> None:
    week = FridaySaturdayWeek({date(2026, 3, 19), date(2026, 3, 22)})  # a Thursday and a Sunday
    assert last_day(SUNDAY, 26, (), week) == date(2026, 4, 8)
    # A holiday on a Friday costs nothing: it was not a working day anyway.
    assert last_day(SUNDAY, 26, (), FridaySaturdayWeek({date(2026, 3, 20)})) == date(2026, 4, 6)


def test_a_return_for_corrections_pauses_and_resubmission_resumes_with_the_days_left() -> None:
    returned, resubmitted = date(2026, 3, 12), date(2026, 3, 22)  # 9 days used, 17 left
    while_paused = read_clock(SUNDAY, 26, [Pause(returned)], WEEK, date(2026, 3, 18))
    assert while_paused.paused
    assert while_paused.last_day is None
    assert while_paused.remaining == 17
    assert not while_paused.ran_out
    assert last_day(SUNDAY, 26, [Pause(returned, resubmitted)], WEEK) == date(2026, 4, 14)


def test_two_pauses_add_up() -> None:
    pauses = [
        Pause(date(2026, 3, 12), date(2026, 3, 22)),
        Pause(date(2026, 4, 1), date(2026, 4, 5)),
    ]
    # Apr 14 plus the working days in (Apr 1, Apr 5]: Apr 2 and Apr 5.
    assert last_day(SUNDAY, 26, pauses, WEEK) == date(2026, 4, 16)


def test_a_pause_after_the_clock_ran_out_does_not_revive_it() -> None:
    late = [Pause(date(2026, 4, 20), date(2026, 5, 3))]
    assert last_day(SUNDAY, 26, late, WEEK) == date(2026, 4, 6)
    assert clock_ran_out(SUNDAY, 26, late, WEEK, date(2026, 4, 21))


def test_pauses_come_from_the_stage_history() -> None:
    history = [
        StageEntry(Stage.FILED, date(2026, 3, 1)),
        StageEntry(Stage.TECHNICAL_REVIEW, date(2026, 3, 2)),
        StageEntry(Stage.RETURNED_FOR_CORRECTIONS, date(2026, 3, 12)),
        StageEntry(Stage.TECHNICAL_REVIEW, date(2026, 3, 22)),
        StageEntry(Stage.RETURNED_FOR_CORRECTIONS, date(2026, 4, 1)),
    ]
    assert pauses_from(history) == (
        Pause(date(2026, 3, 12), date(2026, 3, 22)),
        Pause(date(2026, 4, 1)),
    )


def test_overlapping_pauses_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        last_day(
            SUNDAY, 26, [Pause(date(2026, 3, 5), date(2026, 3, 10)), Pause(date(2026, 3, 8))], WEEK
        )
    with pytest.raises(ValueError, match="before it starts"):
        Pause(date(2026, 3, 5), date(2026, 3, 4))


def test_the_shop_decision_counts_60_calendar_days() -> None:
    counter = SHOP_DECISION_CLOCK.days_counter(WEEK)
    assert counter is CALENDAR_DAYS
    assert last_day(SUNDAY, SHOP_DECISION_CLOCK.days, (), counter) == date(2026, 4, 30)


def test_deemed_approval_is_due_the_day_after_the_last_day_not_earlier() -> None:
    days = SHOP_DECISION_CLOCK.days
    on_the_last_day = read_clock(SUNDAY, days, (), CALENDAR_DAYS, date(2026, 4, 30))
    assert (on_the_last_day.remaining, on_the_last_day.ran_out) == (0, False)
    assert not clock_ran_out(SUNDAY, days, (), CALENDAR_DAYS, date(2026, 4, 29))
    assert not clock_ran_out(SUNDAY, days, (), CALENDAR_DAYS, date(2026, 4, 30))
    assert clock_ran_out(SUNDAY, days, (), CALENDAR_DAYS, date(2026, 5, 1))
    assert read_clock(SUNDAY, days, (), CALENDAR_DAYS, date(2026, 5, 3)).remaining == -3


def test_waiting_for_the_inspection_fee_does_not_count_against_the_60_days() -> None:
    fee = [Pause(date(2026, 3, 3), date(2026, 3, 13))]
    assert last_day(SUNDAY, 60, fee, CALENDAR_DAYS) == date(2026, 5, 10)
    assert not clock_ran_out(SUNDAY, 60, fee, CALENDAR_DAYS, date(2026, 5, 10))
    assert clock_ran_out(SUNDAY, 60, fee, CALENDAR_DAYS, date(2026, 5, 11))


def test_a_paused_clock_never_runs_out() -> None:
    assert not clock_ran_out(SUNDAY, 60, [Pause(date(2026, 3, 3))], CALENDAR_DAYS, date(2027, 1, 1))


def test_the_clock_is_met_on_the_last_day() -> None:
    assert clock_met(date(2026, 4, 6), date(2026, 4, 6))
    assert not clock_met(date(2026, 4, 7), date(2026, 4, 6))


def test_an_unpaid_inspection_fee_archives_the_file_after_a_month() -> None:
    invoiced = date(2026, 1, 31)
    assert inspection_fee_due(invoiced) == date(2026, 2, 28)
    assert not archive_for_unpaid_fee(invoiced, paid=False, today=date(2026, 2, 28))
    assert archive_for_unpaid_fee(invoiced, paid=False, today=date(2026, 3, 1))
    assert not archive_for_unpaid_fee(invoiced, paid=True, today=date(2026, 3, 1))


def test_the_licence_is_granted_within_a_month_of_reported_compliance() -> None:
    assert compliance_grant_due(date(2026, 3, 15)) == date(2026, 4, 15)


def test_a_notification_is_received_the_same_day_and_inspected_within_90_days() -> None:
    assert notification_receipt_due(SUNDAY) == SUNDAY
    assert notification_inspection_due(SUNDAY) == date(2026, 5, 30)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), 12, date(2027, 3, 31)),
    ],
)
def test_months_are_calendar_months(start: date, months: int, end: date) -> None:
    assert add_months(start, months) == end
