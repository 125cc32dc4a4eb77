"""Refunds never exceed what remains; a stale belief about what remains fails (412)."""

from __future__ import annotations

import pytest

from payment_service.domain.refunds import (
    RefundPreconditionFailed,
    RefundRefused,
    plan_refund,
    refundable,
)


def test_refundable_is_paid_minus_refunded() -> None:
    assert refundable(10000, 2500) == 7500
    with pytest.raises(ValueError, match="exceed"):
        refundable(100, 101)


def test_a_partial_then_a_full_refund() -> None:
    first = plan_refund(paid=10000, refunded=0, amount=4000, believed_refundable=10000)
    assert first.remaining == 6000
    assert not first.full
    second = plan_refund(paid=10000, refunded=4000, amount=6000, believed_refundable=6000)
    assert second.full


def test_a_stale_belief_fails_its_precondition_with_the_current_value() -> None:
    with pytest.raises(RefundPreconditionFailed) as caught:
        plan_refund(paid=10000, refunded=4000, amount=1000, believed_refundable=10000)
    assert caught.value.current == 6000
    assert caught.value.believed == 10000


def test_never_above_what_remains_and_never_zero() -> None:
    with pytest.raises(RefundRefused, match="6000"):
        plan_refund(paid=10000, refunded=4000, amount=6001, believed_refundable=6000)
    with pytest.raises(RefundRefused):
        plan_refund(paid=10000, refunded=0, amount=0, believed_refundable=10000)
