"""After issue: temporary validity, the renewal window, reminders, revocation grounds."""

from __future__ import annotations

from datetime import date

import pytest

from licensing_service.domain.lifecycle import (
    RevocationGround,
    RevocationRefused,
    Validity,
    check_revocation,
    may_renew,
    reminder_dates,
    reminder_due,
    renewed,
    temporary_validity,
)

END = date(2026, 12, 31)
LICENCE = Validity(date(2025, 1, 1), END)


def test_a_temporary_licence_lasts_at_most_five_years() -> None:
    assert temporary_validity(date(2026, 3, 1)).valid_until == date(2031, 2, 28)
    assert temporary_validity(date(2026, 3, 1), 2).valid_until == date(2028, 2, 29)
    with pytest.raises(ValueError, match="at most 5 years"):
        temporary_validity(date(2026, 3, 1), 6)


def test_valid_through_the_last_day_and_expired_the_day_after() -> None:
    assert LICENCE.is_valid_on(END)
    assert not LICENCE.is_expired_on(END)
    assert LICENCE.is_expired_on(date(2027, 1, 1))
    assert not Validity(date(2025, 1, 1), None).is_expired_on(date(2099, 1, 1))


def test_the_renewal_window_opens_90_days_before_the_last_day() -> None:
    assert not may_renew(LICENCE, date(2026, 10, 1))
    assert may_renew(LICENCE, date(2026, 10, 2))
    assert may_renew(LICENCE, END)
    assert not may_renew(LICENCE, date(2027, 1, 1))


def test_a_renewal_starts_the_day_after_the_old_period() -> None:
    assert renewed(LICENCE, 1) == Validity(date(2027, 1, 1), date(2027, 12, 31))


def test_reminders_60_30_and_7_days_before_and_on_the_day() -> None:
    assert reminder_dates(END) == (
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2026, 12, 24),
        END,
    )


def test_a_reminder_is_sent_once_and_a_late_job_sends_only_the_latest() -> None:
    assert reminder_due(END, date(2026, 10, 31), []) is None
    assert reminder_due(END, date(2026, 11, 1), []) == date(2026, 11, 1)
    assert reminder_due(END, date(2026, 11, 15), [date(2026, 11, 1)]) is None
    assert reminder_due(END, date(2026, 12, 25), [date(2026, 11, 1)]) == date(2026, 12, 24)
    assert reminder_due(END, END, [date(2026, 12, 24)]) == END
    assert reminder_due(END, date(2027, 1, 1), []) is None


def test_inactivity_revokes_only_after_two_full_years() -> None:
    with pytest.raises(RevocationRefused) as refused:
        check_revocation(RevocationGround.INACTIVITY, date(2026, 2, 27), date(2024, 2, 29))
    assert refused.value.code == "inactivity_too_short"
    check_revocation(RevocationGround.INACTIVITY, date(2026, 2, 28), date(2024, 2, 29))
    with pytest.raises(RevocationRefused):
        check_revocation(RevocationGround.INACTIVITY, date(2026, 2, 28))


@pytest.mark.parametrize(
    "ground",
    [RevocationGround.RELOCATION, RevocationGround.CHANGE_OF_ACTIVITY, RevocationGround.DANGER],
)
def test_the_other_grounds_need_no_waiting(ground: RevocationGround) -> None:
    check_revocation(ground, date(2026, 3, 1))
