"""A clerk's till: expected versus counted, the difference, a manager's sign-off."""

from __future__ import annotations

from datetime import date

import pytest

from payment_service.domain.till import TillError, TillState, open_till

DAY = date(2026, 11, 24)


def test_a_till_that_does_not_balance_records_the_difference_and_is_signed_off() -> None:
    till = open_till(centre="21-03-F01", clerk="clerk-1", day=DAY, opening_float=5000)
    till = till.record_payment("pay-1", 35050).record_payment("pay-2", 12000)
    till = till.record_refund("ref-1", 2000)
    assert till.expected == 5000 + 35050 + 12000 - 2000
    closed = till.close(counted=49950)
    assert closed.difference == -100
    assert not closed.balanced
    signed = closed.sign_off("manager-7")
    assert signed.state is TillState.SIGNED_OFF
    assert signed.signed_off_by == "manager-7"


def test_the_clerk_cannot_sign_off_their_own_till() -> None:
    closed = open_till(centre="c", clerk="clerk-1", day=DAY).record_payment("p", 100).close(100)
    assert closed.balanced
    with pytest.raises(TillError, match="own till"):
        closed.sign_off("clerk-1")


def test_steps_out_of_order_are_refused() -> None:
    till = open_till(centre="c", clerk="clerk-1", day=DAY)
    with pytest.raises(TillError):
        till.sign_off("manager")  # not closed yet
    closed = till.close(0)
    with pytest.raises(TillError, match="closed"):
        closed.record_payment("late", 100)
    with pytest.raises(TillError):
        closed.close(0)
    with pytest.raises(TillError):
        closed.sign_off("manager").sign_off("manager")


def test_entries_are_positive_unique_and_refunds_need_cash() -> None:
    till = open_till(centre="c", clerk="clerk-1", day=DAY).record_payment("p", 100)
    with pytest.raises(TillError, match="already"):
        till.record_payment("p", 100)
    with pytest.raises(TillError):
        till.record_payment("q", 0)
    with pytest.raises(TillError, match="cash"):
        till.record_refund("r", 101)
