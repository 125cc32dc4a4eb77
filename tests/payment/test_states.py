"""The one payment state model: who may move what, and what a report can never undo."""

from __future__ import annotations

import pytest

from payment_service.domain.states import (
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    PaymentState,
    Trigger,
    decide,
)

S, T = PaymentState, Trigger


def test_the_happy_path_of_a_hosted_checkout() -> None:
    created = decide(S.CREATED, S.PENDING, T.PROVIDER_ANSWER)
    assert created.moved
    assert created.state is S.PENDING
    paid = decide(S.PENDING, S.SUCCEEDED, T.CALLBACK)
    assert paid.moved
    assert paid.state is S.SUCCEEDED
    assert not paid.late


@pytest.mark.parametrize("report", [S.FAILED, S.EXPIRED, S.CANCELLED, S.PENDING, S.CREATED])
@pytest.mark.parametrize("trigger", [T.CALLBACK, T.STATUS_QUERY])
def test_a_late_report_never_undoes_a_success(report: PaymentState, trigger: Trigger) -> None:
    decision = decide(S.SUCCEEDED, report, trigger)
    assert not decision.moved
    assert decision.state is S.SUCCEEDED
    assert "never undoes a success" in decision.reason


def test_a_repeated_report_changes_nothing() -> None:
    decision = decide(S.SUCCEEDED, S.SUCCEEDED, T.CALLBACK)
    assert not decision.moved
    assert decision.state is S.SUCCEEDED


@pytest.mark.parametrize("given_up", [S.FAILED, S.EXPIRED, S.CANCELLED])
def test_a_success_after_we_gave_up_is_applied_and_marked_late(given_up: PaymentState) -> None:
    decision = decide(given_up, S.SUCCEEDED, T.STATUS_QUERY)
    assert decision.moved
    assert decision.late
    assert decision.state is S.SUCCEEDED


def test_a_failure_after_an_expiry_is_ignored() -> None:
    decision = decide(S.EXPIRED, S.FAILED, T.CALLBACK)
    assert not decision.moved
    assert decision.state is S.EXPIRED


def test_our_own_actions_outside_the_table_raise() -> None:
    with pytest.raises(IllegalTransition):
        decide(S.SUCCEEDED, S.CANCELLED, T.CITIZEN)
    with pytest.raises(IllegalTransition):
        decide(S.PENDING, S.SUCCEEDED, T.CLERK)  # a clerk records counter payments only
    with pytest.raises(IllegalTransition):
        decide(S.CREATED, S.EXPIRED, T.EXPIRY)  # only a pending attempt expires


def test_the_expiry_job_expires_a_pending_attempt_and_a_citizen_abandons_one() -> None:
    assert decide(S.PENDING, S.EXPIRED, T.EXPIRY).state is S.EXPIRED
    assert decide(S.PENDING, S.CANCELLED, T.CITIZEN).state is S.CANCELLED


def test_a_clerk_records_a_counter_payment_straight_from_created() -> None:
    assert decide(S.CREATED, S.SUCCEEDED, T.CLERK).moved


def test_nothing_leaves_a_terminal_state_except_into_success() -> None:
    for (source, target), _ in TRANSITIONS.items():
        if source in TERMINAL:
            assert target is S.SUCCEEDED
    assert S.SUCCEEDED not in {source for source, _ in TRANSITIONS}
