"""The workflow table: every move not in it is refused, and so is every role not named for it."""

from __future__ import annotations

import itertools

import pytest

from request_service.domain.service_workflows import workflow_from_catalogue, workflow_problems
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
)

# The specification, written out independently of the table in the code.
ALLOWED = {
    ("submitted", "under_review"): {"front_office"},
    ("submitted", "cancelled"): {"citizen", "partner", "front_office", "centre_manager"},
    ("under_review", "awaiting_payment"): {"front_office"},
    ("under_review", "in_processing"): {"front_office"},
    ("under_review", "cancelled"): {"citizen", "partner", "front_office", "centre_manager"},
    ("awaiting_payment", "in_processing"): {"system"},
    ("awaiting_payment", "cancelled"): {"citizen", "partner", "front_office", "centre_manager"},
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


def test_staff_cancelling_for_the_applicant_give_a_reason_the_applicant_need_not() -> None:
    for source in (State.SUBMITTED, State.UNDER_REVIEW, State.AWAITING_PAYMENT):
        for role in ("front_office", "centre_manager"):
            with pytest.raises(TransitionRefused) as caught:
                authorize(
                    DEFAULT_WORKFLOW,
                    source,
                    State.CANCELLED,
                    {role},
                    by_intake_clerk=False,
                    has_reason=False,
                )
            assert (caught.value.status, caught.value.code) == (422, "reason_required")
        for role in ("citizen", "partner"):
            authorize(
                DEFAULT_WORKFLOW,
                source,
                State.CANCELLED,
                {role},
                by_intake_clerk=False,
                has_reason=False,
            )
    # Not once processing has started.
    with pytest.raises(TransitionRefused) as late:
        authorize(
            DEFAULT_WORKFLOW,
            State.IN_PROCESSING,
            State.CANCELLED,
            {"front_office", "centre_manager", "citizen"},
            by_intake_clerk=False,
            has_reason=True,
        )
    assert late.value.code == "invalid_transition"


def test_the_default_table_keeps_every_rule_a_catalogue_table_must() -> None:
    assert workflow_problems(DEFAULT_WORKFLOW.transitions) == []


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


FAST: list[dict[str, object]] = [
    {"from": "submitted", "to": "in_processing", "roles": ["front_office"], "when": "no_fee"},
    {"from": "submitted", "to": "awaiting_payment", "roles": ["front_office"], "when": "fee_due"},
    {"from": "awaiting_payment", "to": "in_processing", "roles": ["system"]},
    {"from": "in_processing", "to": "approved", "roles": ["back_office"]},
    {"from": "approved", "to": "delivered", "roles": ["front_office"]},
]


def test_a_catalogue_workflow_replaces_the_table() -> None:
    custom = workflow_from_catalogue(FAST)
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


def test_a_catalogue_table_cannot_lift_the_reason_for_a_rejection() -> None:
    custom = workflow_from_catalogue(
        [
            *FAST,
            {"from": "in_processing", "to": "rejected", "roles": ["back_office"]},
        ]
    )
    with pytest.raises(TransitionRefused) as caught:
        authorize(
            custom,
            State.IN_PROCESSING,
            State.REJECTED,
            {"back_office"},
            by_intake_clerk=False,
            has_reason=False,
        )
    assert caught.value.code == "reason_required"


def _with(
    *changes: dict[str, object], drop: tuple[str, str] | None = None
) -> list[dict[str, object]]:
    """FAST with entries replaced (same from/to) or added, and one dropped."""
    entries: dict[tuple[str, str], dict[str, object]] = {
        (str(e["from"]), str(e["to"])): dict(e) for e in FAST
    }
    if drop is not None:
        del entries[drop]
    for change in changes:
        entries[(str(change["from"]), str(change["to"]))] = dict(change)
    return list(entries.values())


@pytest.mark.parametrize(
    ("entries", "why"),
    [
        ([], "empty"),
        ([{"from": "submitted", "to": "nowhere", "roles": ["front_office"]}], "bad transition"),
        ([{"from": "submitted", "to": "approved", "roles": ["mayor"]}], "bad roles"),
        ([{"from": "submitted", "to": "approved", "roles": "back_office"}], "bad roles"),
        ([{"from": "submitted", "to": "approved", "roles": []}], "bad roles"),
        ([{"from": "delivered", "to": "submitted", "roles": ["front_office"]}], "is final"),
        ([*FAST, FAST[0]], "repeated"),
        (
            _with(
                {
                    "from": "submitted",
                    "to": "in_processing",
                    "roles": ["front_office"],
                    "when": "maybe",
                }
            ),
            "bad condition",
        ),
        # The audit's case: a citizen approving.
        (_with({"from": "submitted", "to": "approved", "roles": ["citizen"]}), "not a move"),
        (_with({"from": "in_processing", "to": "approved", "roles": ["citizen"]}), "back office"),
        (
            _with(
                {
                    "from": "in_processing",
                    "to": "approved",
                    "roles": ["back_office", "front_office"],
                }
            ),
            "back office",
        ),
        (
            _with({"from": "in_processing", "to": "rejected", "roles": ["centre_manager"]}),
            "back office",
        ),
        (
            _with(
                {"from": "in_processing", "to": "returned_to_citizen", "roles": ["front_office"]}
            ),
            "back office",
        ),
        # Payment: only the system leaves awaiting_payment, and it must be able to.
        (
            _with({"from": "awaiting_payment", "to": "in_processing", "roles": ["front_office"]}),
            "only a payment",
        ),
        (
            _with(
                {"from": "awaiting_payment", "to": "in_processing", "roles": ["system", "citizen"]}
            ),
            "only a payment",
        ),
        (_with(drop=("awaiting_payment", "in_processing")), "way out on payment"),
        (_with({"from": "approved", "to": "delivered", "roles": ["system"]}), "system role"),
        # Fees decide between payment and processing, in pairs.
        (
            _with({"from": "submitted", "to": "in_processing", "roles": ["front_office"]}),
            "condition must be no_fee",
        ),
        (
            _with({"from": "submitted", "to": "awaiting_payment", "roles": ["front_office"]}),
            "condition must be fee_due",
        ),
        (_with(drop=("submitted", "awaiting_payment")), "go together"),
        (
            _with(
                {"from": "approved", "to": "delivered", "roles": ["front_office"], "when": "no_fee"}
            ),
            "condition must be none",
        ),
        # Who does what before processing, on cancelling and on handing over.
        (
            _with(
                {"from": "submitted", "to": "in_processing", "roles": ["citizen"], "when": "no_fee"}
            ),
            "front office reviews",
        ),
        (
            _with({"from": "submitted", "to": "cancelled", "roles": ["back_office"]}),
            "cancelled only",
        ),
        (_with({"from": "approved", "to": "delivered", "roles": ["citizen"]}), "hand over"),
        # The workflow leads somewhere.
        (_with(drop=("approved", "delivered")), "no way on"),
        (_with(drop=("in_processing", "approved")), "no decision"),
        (
            _with({"from": "in_processing", "to": "cancelled", "roles": ["back_office"]}),
            "not a move",
        ),
    ],
)
def test_a_bad_catalogue_workflow_is_refused(entries: list[dict[str, object]], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        workflow_from_catalogue(entries)
