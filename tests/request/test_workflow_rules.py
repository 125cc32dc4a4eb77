"""The workflow table: every move not in it is refused, and so is every role not named for it."""

from __future__ import annotations

import itertools

import pytest

from request_service.domain.workflow import (
    DEFAULT_WORKFLOW,
    FINAL_STATES,
    ROLES,
    SEPARATED_TARGETS,
    State,
    TransitionRefused,
    allowed_targets,
    authorize,
    check_condition,
    workflow_from_catalogue,
)

# The specification, written out independently of the table in the code.
ALLOWED = {
    ("submitted", "under_review"): {"front_office"},
    ("submitted", "cancelled"): {"citizen", "partner"},
    ("under_review", "awaiting_payment"): {"front_office"},
    ("under_review", "in_processing"): {"front_office"},
    ("under_review", "cancelled"): {"citizen", "partner"},
    ("awaiting_payment", "in_processing"): {"system"},
    ("awaiting_payment", "cancelled"): {"citizen", "partner"},
    ("in_processing", "returned_to_citizen"): {"back_office"},
    ("returned_to_citizen", "in_processing"): {"citizen", "partner", "front_office"},
    ("in_processing", "approved"): {"back_office"},
    ("in_processing", "rejected"): {"back_office"},
    ("approved", "ready_for_collection"): {"back_office"},
    ("ready_for_collection", "delivered"): {"front_office"},
}


@pytest.mark.parametrize(("source", "target"), list(itertools.product(State, State)))
def test_every_pair_and_role(source: State, target: State) -> None:
    for role in sorted(ROLES):
        if role in ALLOWED.get((source.value, target.value), set()):
            rule, acting = authorize(
                DEFAULT_WORKFLOW, source, target, {role}, by_intake_clerk=False, has_reason=True
            )
            assert (acting, rule.target) == (role, target)
            continue
        with pytest.raises(TransitionRefused) as refused:
            authorize(
                DEFAULT_WORKFLOW, source, target, {role}, by_intake_clerk=False, has_reason=True
            )
        assert refused.value.status in (403, 409), (role, source, target)


def test_final_states_have_no_way_out() -> None:
    for final in FINAL_STATES:
        assert DEFAULT_WORKFLOW.from_state(final) == ()


@pytest.mark.parametrize("target", sorted(SEPARATED_TARGETS))
def test_the_intake_clerk_never_moves_it_past_review(target: State) -> None:
    for source in State:
        if DEFAULT_WORKFLOW.find(source, target) is None:
            continue
        with pytest.raises(TransitionRefused) as caught:
            authorize(
                DEFAULT_WORKFLOW,
                source,
                target,
                {"front_office", "back_office", "citizen", "partner", "system"},
                by_intake_clerk=True,
                has_reason=True,
            )
        assert (caught.value.status, caught.value.code) == (403, "separation_of_duties")


def test_intake_clerk_may_still_start_review_and_hand_over() -> None:
    for source, target in [("submitted", "under_review"), ("ready_for_collection", "delivered")]:
        authorize(
            DEFAULT_WORKFLOW,
            State(source),
            State(target),
            {"front_office"},
            by_intake_clerk=True,
            has_reason=False,
        )


def test_reasons_are_required_for_return_and_rejection() -> None:
    for target in (State.RETURNED_TO_CITIZEN, State.REJECTED):
        with pytest.raises(TransitionRefused) as caught:
            authorize(
                DEFAULT_WORKFLOW,
                State.IN_PROCESSING,
                target,
                {"back_office"},
                by_intake_clerk=False,
                has_reason=False,
            )
        assert caught.value.status == 422


def test_fee_conditions() -> None:
    to_payment = DEFAULT_WORKFLOW.find(State.UNDER_REVIEW, State.AWAITING_PAYMENT)
    to_processing = DEFAULT_WORKFLOW.find(State.UNDER_REVIEW, State.IN_PROCESSING)
    assert to_payment is not None
    assert to_processing is not None
    check_condition(to_payment, fee_due=True)
    check_condition(to_processing, fee_due=False)
    with pytest.raises(TransitionRefused, match="no fee"):
        check_condition(to_payment, fee_due=False)
    with pytest.raises(TransitionRefused, match="fee is due"):
        check_condition(to_processing, fee_due=True)


def test_a_catalogue_workflow_replaces_the_table() -> None:
    custom = workflow_from_catalogue(
        [
            {"from": "submitted", "to": "in_processing", "roles": ["front_office"]},
            {"from": "in_processing", "to": "approved", "roles": ["back_office"]},
            {"from": "approved", "to": "delivered", "roles": ["front_office"]},
        ]
    )
    assert allowed_targets(custom, State.APPROVED, {"front_office"}, by_intake_clerk=False) == [
        State.DELIVERED
    ]
    with pytest.raises(TransitionRefused):
        authorize(
            custom,
            State.SUBMITTED,
            State.UNDER_REVIEW,
            {"front_office"},
            by_intake_clerk=False,
            has_reason=False,
        )
    # Separation of duties is a rule, not a row: a custom table cannot switch it off.
    with pytest.raises(TransitionRefused, match="took the application in"):
        authorize(
            custom,
            State.SUBMITTED,
            State.IN_PROCESSING,
            {"front_office"},
            by_intake_clerk=True,
            has_reason=False,
        )


@pytest.mark.parametrize(
    "entries",
    [
        [],
        [{"from": "submitted", "to": "nowhere", "roles": ["front_office"]}],
        [{"from": "submitted", "to": "approved", "roles": ["mayor"]}],
        [{"from": "delivered", "to": "submitted", "roles": ["front_office"]}],
        [{"from": "submitted", "to": "approved", "roles": []}],
        [{"from": "submitted", "to": "approved", "roles": ["back_office"]}] * 2,
    ],
)
def test_a_bad_catalogue_workflow_is_refused(entries: list[dict[str, object]]) -> None:
    with pytest.raises(ValueError, match=r"(?i)bad|final|empty|repeated"):
        workflow_from_catalogue(entries)
