"""Who may move a licensing case where, and separation of duties."""

from __future__ import annotations

import pytest

from licensing_service.domain.cases import (
    TRANSITIONS,
    Activity,
    Actor,
    Move,
    MoveRefused,
    Participants,
    Procedure,
    Role,
    Stage,
    allowed_moves,
    check_move,
    shop_procedure,
    stages_of,
)

COMMITTEE = Actor(Role.COMMITTEE, "m1", frozenset({"m1", "m2"}))


def test_a_building_permit_goes_review_inspection_committee_fees_issued() -> None:
    path = [
        (Stage.FILED, Stage.TECHNICAL_REVIEW, Move.PROGRESS, Actor(Role.ENGINEER, "e1")),
        (Stage.TECHNICAL_REVIEW, Stage.SITE_INSPECTION, Move.PROGRESS, Actor(Role.ENGINEER, "e1")),
        (Stage.SITE_INSPECTION, Stage.COMMITTEE, Move.PROGRESS, Actor(Role.INSPECTOR, "i1")),
        (Stage.COMMITTEE, Stage.AWAITING_FEES, Move.APPROVE, COMMITTEE),
        (Stage.AWAITING_FEES, Stage.ISSUED, Move.PAYMENT, Actor(Role.FINANCE)),
    ]
    people = Participants(taken_in_by="clerk", inspected_by=frozenset({"i1"}))
    for source, target, move, actor in path:
        check_move(Procedure.BUILDING_PERMIT, source, target, move, actor, people)


def test_an_inspector_may_hand_over_the_report_but_not_decide() -> None:
    with pytest.raises(MoveRefused) as refused:
        check_move(
            Procedure.BUILDING_PERMIT,
            Stage.COMMITTEE,
            Stage.AWAITING_FEES,
            Move.APPROVE,
            Actor(Role.INSPECTOR, "i1"),
            Participants(),
        )
    assert refused.value.code == "role_not_allowed"


def test_whoever_took_the_application_in_cannot_decide_it() -> None:
    with pytest.raises(MoveRefused) as refused:
        check_move(
            Procedure.BUILDING_PERMIT,
            Stage.COMMITTEE,
            Stage.REJECTED,
            Move.REJECT,
            Actor(Role.COMMITTEE, "clerk", frozenset({"clerk", "m2"})),
            Participants(taken_in_by="clerk"),
            reason="setback violated",
        )
    assert refused.value.code == "separation_of_duties"


def test_the_intake_officer_cannot_return_the_file_as_engineer_either() -> None:
    with pytest.raises(MoveRefused) as refused:
        check_move(
            Procedure.BUILDING_PERMIT,
            Stage.TECHNICAL_REVIEW,
            Stage.RETURNED_FOR_CORRECTIONS,
            Move.RETURN,
            Actor(Role.ENGINEER, "clerk"),
            Participants(taken_in_by="clerk"),
            reason="drawings unsigned",
        )
    assert refused.value.code == "separation_of_duties"


def test_the_inspectors_alone_cannot_decide_even_as_committee_members() -> None:
    inspectors = Participants(inspected_by=frozenset({"i1", "i2"}))
    alone = Actor(Role.COMMITTEE, "i1", frozenset({"i1", "i2"}))
    with pytest.raises(MoveRefused) as refused:
        check_move(
            Procedure.SHOP_STANDARD,
            Stage.COMMITTEE,
            Stage.AWAITING_FEES,
            Move.APPROVE,
            alone,
            inspectors,
        )
    assert refused.value.code == "separation_of_duties"
    joined = Actor(Role.COMMITTEE, "i1", frozenset({"i1", "m9"}))
    check_move(
        Procedure.SHOP_STANDARD,
        Stage.COMMITTEE,
        Stage.AWAITING_FEES,
        Move.APPROVE,
        joined,
        inspectors,
    )


def test_a_committee_decision_needs_two_signatories() -> None:
    with pytest.raises(MoveRefused) as refused:
        check_move(
            Procedure.SHOP_STANDARD,
            Stage.COMMITTEE,
            Stage.AWAITING_FEES,
            Move.APPROVE,
            Actor(Role.COMMITTEE, "m1"),
            Participants(),
        )
    assert refused.value.code == "committee_quorum"


def test_a_rejection_or_return_needs_a_reason() -> None:
    with pytest.raises(MoveRefused) as refused:
        check_move(
            Procedure.BUILDING_PERMIT,
            Stage.COMMITTEE,
            Stage.REJECTED,
            Move.REJECT,
            COMMITTEE,
            Participants(),
            reason="  ",
        )
    assert refused.value.code == "reason_required"


def test_only_the_applicant_resubmits_corrections() -> None:
    resubmit = (Stage.RETURNED_FOR_CORRECTIONS, Stage.TECHNICAL_REVIEW, Move.RESUBMIT)
    check_move(Procedure.BUILDING_PERMIT, *resubmit, Actor(Role.APPLICANT, "c1"), Participants())
    with pytest.raises(MoveRefused):
        check_move(Procedure.BUILDING_PERMIT, *resubmit, Actor(Role.ENGINEER, "e1"), Participants())


def test_only_the_system_issues_a_deemed_approval_and_says_why() -> None:
    deemed = (Stage.COMMITTEE, Stage.AWAITING_FEES, Move.DEEMED_APPROVAL)
    with pytest.raises(MoveRefused) as no_reason:
        check_move(Procedure.SHOP_STANDARD, *deemed, Actor(Role.SYSTEM), Participants())
    assert no_reason.value.code == "reason_required"
    check_move(
        Procedure.SHOP_STANDARD,
        *deemed,
        Actor(Role.SYSTEM),
        Participants(),
        reason="60 days ran out on 2026-04-30",
    )
    with pytest.raises(MoveRefused):
        check_move(Procedure.SHOP_STANDARD, *deemed, COMMITTEE, Participants(), reason="x")


def test_building_permits_have_no_deemed_approval() -> None:
    moves = {t.move for t in TRANSITIONS[Procedure.BUILDING_PERMIT]}
    assert Move.DEEMED_APPROVAL not in moves


def test_a_notification_licence_is_issued_by_the_payment() -> None:
    assert [
        t.target
        for t in allowed_moves(Procedure.SHOP_NOTIFICATION, Stage.AWAITING_FEES, Role.FINANCE)
    ] == [Stage.ISSUED]
    assert stages_of(Procedure.SHOP_NOTIFICATION) == {
        Stage.FILED,
        Stage.AWAITING_FEES,
        Stage.ISSUED,
    }


def test_an_unpaid_inspection_fee_archives_the_file_only_by_the_system() -> None:
    archive = allowed_moves(Procedure.SHOP_STANDARD, Stage.AWAITING_INSPECTION_FEE, Role.SYSTEM)
    assert [t.target for t in archive] == [Stage.ARCHIVED]
    assert (
        allowed_moves(Procedure.SHOP_STANDARD, Stage.AWAITING_INSPECTION_FEE, Role.ENGINEER) == ()
    )


def test_an_unknown_move_is_a_conflict() -> None:
    with pytest.raises(MoveRefused) as refused:
        check_move(
            Procedure.SHOP_NOTIFICATION,
            Stage.FILED,
            Stage.ISSUED,
            Move.PAYMENT,
            Actor(Role.FINANCE),
            Participants(),
        )
    assert refused.value.status == 409


@pytest.mark.parametrize(
    ("activity", "building_licensed", "procedure"),
    [
        (Activity("grocery", low_risk=True), True, Procedure.SHOP_NOTIFICATION),
        (Activity("bakery", low_risk=False), True, Procedure.SHOP_STANDARD),
        (
            Activity("arms", low_risk=True, needs_security_approval=True),
            True,
            Procedure.SHOP_STANDARD,
        ),
        (Activity("grocery", low_risk=True), False, Procedure.SHOP_TEMPORARY),
    ],
)
def test_the_activity_and_the_building_choose_the_procedure(
    activity: Activity, building_licensed: bool, procedure: Procedure
) -> None:
    assert shop_procedure(activity, building_licensed) is procedure
