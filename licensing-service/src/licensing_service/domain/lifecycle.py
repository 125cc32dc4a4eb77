"""A licence after it is issued: validity, renewal, expiry reminders, revocation.

A licence is valid through its ``valid_until`` day inclusive and expired from the day after.
The renewal window and the reminder days are this platform's policy (the law sets no
number we know of; docs/licensing.md): renewal may be asked for from 90 days before the last
valid day through that day, and the holder gets an SMS 60, 30 and 7 days before and on it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from licensing_service.domain.clocks import add_years

TEMPORARY_LICENCE_MAX_YEARS = 5
INACTIVITY_YEARS = 2
RENEWAL_WINDOW_DAYS = 90
REMINDER_DAYS_BEFORE = (60, 30, 7, 0)  # 0: on the last valid day itself


@dataclass(frozen=True, slots=True)
class Validity:
    starts_on: date
    valid_until: date | None  # None: no end date (a permanent shop licence)

    def __post_init__(self) -> None:
        if self.valid_until is not None and self.valid_until < self.starts_on:
            raise ValueError("a licence cannot end before it starts")

    def is_valid_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.valid_until is None or day <= self.valid_until)

    def is_expired_on(self, day: date) -> bool:
        return self.valid_until is not None and day > self.valid_until


def validity_for_years(starts_on: date, years: int) -> Validity:
    """Valid for ``years`` years: through the day before the same date ``years`` later."""
    if years < 1:
        raise ValueError("a licence lasts at least a year")
    return Validity(starts_on, add_years(starts_on, years) - timedelta(days=1))


def temporary_validity(starts_on: date, years: int = TEMPORARY_LICENCE_MAX_YEARS) -> Validity:
    if years > TEMPORARY_LICENCE_MAX_YEARS:
        raise ValueError(f"a temporary licence lasts at most {TEMPORARY_LICENCE_MAX_YEARS} years")
    return validity_for_years(starts_on, years)


def renewal_opens_on(valid_until: date) -> date:
    return valid_until - timedelta(days=RENEWAL_WINDOW_DAYS)


def may_renew(validity: Validity, today: date) -> bool:
    """Renewal is asked for inside the window that ends on the last valid day."""
    if validity.valid_until is None:
        return False
    return renewal_opens_on(validity.valid_until) <= today <= validity.valid_until


def renewed(validity: Validity, years: int) -> Validity:
    """The next period, starting the day after the current one ends."""
    if validity.valid_until is None:
        raise ValueError("a licence without an end date is not renewed")
    return validity_for_years(validity.valid_until + timedelta(days=1), years)


def reminder_dates(valid_until: date) -> tuple[date, ...]:
    """The days the holder is reminded by SMS, earliest first."""
    return tuple(valid_until - timedelta(days=d) for d in REMINDER_DAYS_BEFORE)


def reminder_due(valid_until: date, today: date, sent: Collection[date]) -> date | None:
    """The reminder to send today, if any: the latest reminder day reached and not yet sent.

    A daily job that missed days sends one reminder, not all it missed; none after expiry.
    """
    if today > valid_until:
        return None
    reached = [d for d in reminder_dates(valid_until) if d <= today]
    if not reached or any(s >= reached[-1] for s in sent):
        return None
    return reached[-1]


class RevocationGround(StrEnum):
    INACTIVITY = "inactivity"  # two years without activity
    RELOCATION = "relocation"
    CHANGE_OF_ACTIVITY = "change_of_activity"
    DANGER = "danger"


class RevocationRefused(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def check_revocation(
    ground: RevocationGround, today: date, last_active_on: date | None = None
) -> None:
    """Refuses a revocation whose ground does not hold; inactivity needs two full years."""
    if ground is RevocationGround.INACTIVITY:
        if last_active_on is None:
            raise RevocationRefused("inactivity_unknown", "the last day of activity is needed")
        if today < add_years(last_active_on, INACTIVITY_YEARS):
            raise RevocationRefused(
                "inactivity_too_short", f"inactive for less than {INACTIVITY_YEARS} years"
            )
