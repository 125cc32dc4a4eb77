"""The licensing case as data: the procedures, their stages, and who may move a case where.

Four procedures share one set of stages:

- the site-suitability statement (بيان صلاحية الموقع) that starts a building permit;
- the building permit (Law 119/2008, executive regulations as amended by Decision 943/2024);
- the shop licence under Law 154/2019, standard or temporary (same steps; a temporary
  licence is for premises in a building not yet licensed and lasts at most five years);
- the shop licence by notification (الإخطار), issued once the fees are paid.

Separation of duties is a rule over decisions, not a column of the tables, so no table can
switch it off: whoever took the application in never decides it, and a decision is signed
by at least two committee members of whom at least one did not inspect the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Procedure(StrEnum):
    SITE_SUITABILITY = "site_suitability"
    BUILDING_PERMIT = "building_permit"
    SHOP_STANDARD = "shop_standard"
    SHOP_TEMPORARY = "shop_temporary"
    SHOP_NOTIFICATION = "shop_notification"


class Stage(StrEnum):
    FILED = "filed"
    TECHNICAL_REVIEW = "technical_review"
    RETURNED_FOR_CORRECTIONS = "returned_for_corrections"
    SITE_INSPECTION = "site_inspection"
    AWAITING_INSPECTION_FEE = "awaiting_inspection_fee"
    AUTHORITY_INSPECTIONS = "authority_inspections"
    COMMITTEE = "committee"
    AWAITING_COMPLIANCE = "awaiting_compliance"
    COMPLIANCE_REPORTED = "compliance_reported"
    AWAITING_FEES = "awaiting_fees"
    ISSUED = "issued"
    REJECTED = "rejected"
    ARCHIVED = "archived"


class Role(StrEnum):
    APPLICANT = "applicant"  # the citizen or the engineer/engineering office filing for them
    INTAKE = "intake"  # the front-office officer who took the application in
    ENGINEER = "engineer"  # the back-office engineer (technical review)
    INSPECTOR = "inspector"
    COMMITTEE = "committee"
    FINANCE = "finance"  # payment-service's payment.succeeded, never a person
    SYSTEM = "system"  # the service's own timers: deemed approval, archiving


class Move(StrEnum):
    """What a transition means, for events, audit and KPIs."""

    PROGRESS = "progress"
    RETURN = "return"  # back to the applicant: the clock pauses
    RESUBMIT = "resubmit"  # the applicant answered: the clock resumes
    APPROVE = "approve"
    REJECT = "reject"
    CONDITIONS = "conditions"  # approve once the premises comply
    DEEMED_APPROVAL = "deemed_approval"  # silence counts as acceptance (Law 154/2019)
    PAYMENT = "payment"
    ARCHIVE = "archive"


@dataclass(frozen=True, slots=True)
class Transition:
    source: Stage
    target: Stage
    roles: frozenset[Role]
    move: Move
    needs_reason: bool = False


def _t(source: Stage, target: Stage, move: Move, *roles: Role, reason: bool = False) -> Transition:
    return Transition(source, target, frozenset(roles), move, reason)


S, R, M = Stage, Role, Move

SITE_SUITABILITY_TRANSITIONS: tuple[Transition, ...] = (
    _t(S.FILED, S.TECHNICAL_REVIEW, M.PROGRESS, R.ENGINEER),
    _t(S.TECHNICAL_REVIEW, S.RETURNED_FOR_CORRECTIONS, M.RETURN, R.ENGINEER, reason=True),
    _t(S.RETURNED_FOR_CORRECTIONS, S.TECHNICAL_REVIEW, M.RESUBMIT, R.APPLICANT),
    _t(S.TECHNICAL_REVIEW, S.ISSUED, M.APPROVE, R.ENGINEER),
    _t(S.TECHNICAL_REVIEW, S.REJECTED, M.REJECT, R.ENGINEER, reason=True),
)

BUILDING_PERMIT_TRANSITIONS: tuple[Transition, ...] = (
    _t(S.FILED, S.TECHNICAL_REVIEW, M.PROGRESS, R.ENGINEER),
    _t(S.TECHNICAL_REVIEW, S.RETURNED_FOR_CORRECTIONS, M.RETURN, R.ENGINEER, reason=True),
    _t(S.TECHNICAL_REVIEW, S.SITE_INSPECTION, M.PROGRESS, R.ENGINEER),
    _t(S.RETURNED_FOR_CORRECTIONS, S.TECHNICAL_REVIEW, M.RESUBMIT, R.APPLICANT),
    # The inspector hands the report to the committee; deciding is not theirs.
    _t(S.SITE_INSPECTION, S.COMMITTEE, M.PROGRESS, R.INSPECTOR),
    _t(S.COMMITTEE, S.AWAITING_FEES, M.APPROVE, R.COMMITTEE),
    _t(S.COMMITTEE, S.REJECTED, M.REJECT, R.COMMITTEE, reason=True),
    _t(S.COMMITTEE, S.RETURNED_FOR_CORRECTIONS, M.RETURN, R.COMMITTEE, reason=True),
    _t(S.AWAITING_FEES, S.ISSUED, M.PAYMENT, R.FINANCE),
)

SHOP_STANDARD_TRANSITIONS: tuple[Transition, ...] = (
    # The file is complete: the inspection fee (at most EGP 1,000) is invoiced.
    _t(S.FILED, S.AWAITING_INSPECTION_FEE, M.PROGRESS, R.ENGINEER),
    _t(S.FILED, S.RETURNED_FOR_CORRECTIONS, M.RETURN, R.ENGINEER, reason=True),
    _t(S.RETURNED_FOR_CORRECTIONS, S.FILED, M.RESUBMIT, R.APPLICANT),
    _t(S.AWAITING_INSPECTION_FEE, S.AUTHORITY_INSPECTIONS, M.PAYMENT, R.FINANCE),
    _t(S.AWAITING_INSPECTION_FEE, S.ARCHIVED, M.ARCHIVE, R.SYSTEM, reason=True),
    # Once every authority has recorded its opinion, the engineer puts the file to the committee.
    _t(S.AUTHORITY_INSPECTIONS, S.COMMITTEE, M.PROGRESS, R.ENGINEER),
    _t(S.COMMITTEE, S.AWAITING_FEES, M.APPROVE, R.COMMITTEE),
    _t(S.COMMITTEE, S.REJECTED, M.REJECT, R.COMMITTEE, reason=True),
    _t(S.COMMITTEE, S.AWAITING_COMPLIANCE, M.CONDITIONS, R.COMMITTEE, reason=True),
    _t(S.AWAITING_COMPLIANCE, S.COMPLIANCE_REPORTED, M.RESUBMIT, R.APPLICANT),
    _t(S.COMPLIANCE_REPORTED, S.AWAITING_FEES, M.APPROVE, R.COMMITTEE),
    _t(S.COMPLIANCE_REPORTED, S.AWAITING_COMPLIANCE, M.CONDITIONS, R.COMMITTEE, reason=True),
    _t(S.COMPLIANCE_REPORTED, S.REJECTED, M.REJECT, R.COMMITTEE, reason=True),
    # Silence counts as acceptance once the 60 days run out (the reason is recorded).
    _t(S.FILED, S.AWAITING_FEES, M.DEEMED_APPROVAL, R.SYSTEM, reason=True),
    _t(S.AUTHORITY_INSPECTIONS, S.AWAITING_FEES, M.DEEMED_APPROVAL, R.SYSTEM, reason=True),
    _t(S.COMMITTEE, S.AWAITING_FEES, M.DEEMED_APPROVAL, R.SYSTEM, reason=True),
    _t(S.AWAITING_FEES, S.ISSUED, M.PAYMENT, R.FINANCE),
)

SHOP_NOTIFICATION_TRANSITIONS: tuple[Transition, ...] = (
    # The receipt is given the same day; the licence is deemed issued once the fees are paid.
    # The inspection (within 90 days) follows the licence and can lead to its revocation.
    _t(S.FILED, S.AWAITING_FEES, M.PROGRESS, R.INTAKE, R.SYSTEM),
    _t(S.AWAITING_FEES, S.ISSUED, M.PAYMENT, R.FINANCE),
)

TRANSITIONS: dict[Procedure, tuple[Transition, ...]] = {
    Procedure.SITE_SUITABILITY: SITE_SUITABILITY_TRANSITIONS,
    Procedure.BUILDING_PERMIT: BUILDING_PERMIT_TRANSITIONS,
    Procedure.SHOP_STANDARD: SHOP_STANDARD_TRANSITIONS,
    Procedure.SHOP_TEMPORARY: SHOP_STANDARD_TRANSITIONS,
    Procedure.SHOP_NOTIFICATION: SHOP_NOTIFICATION_TRANSITIONS,
}

FINAL_STAGES = frozenset({Stage.ISSUED, Stage.REJECTED, Stage.ARCHIVED})
# Moves that decide the case: the separation-of-duties rules apply to them.
DECISIONS = frozenset({Move.APPROVE, Move.REJECT, Move.CONDITIONS, Move.RETURN})
# A committee decision is signed by at least this many members.
COMMITTEE_QUORUM = 2


@dataclass(frozen=True, slots=True)
class Participants:
    """Who has touched the case so far, as the separation-of-duties rules need it."""

    taken_in_by: str | None = None  # person id of the intake officer (None: filed online)
    inspected_by: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Actor:
    role: Role
    person: str | None = None  # None for FINANCE and SYSTEM
    # For a committee decision: the members who sign it (the actor among them).
    signatories: frozenset[str] = frozenset()


class MoveRefused(Exception):
    """Why a case may not move; ``status`` is the HTTP answer it deserves."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


def find_transition(procedure: Procedure, source: Stage, target: Stage, move: Move) -> Transition:
    for transition in TRANSITIONS[procedure]:
        if (transition.source, transition.target, transition.move) == (source, target, move):
            return transition
    raise MoveRefused(409, "transition_not_allowed", f"{procedure}: {source} → {target} ({move})")


def allowed_moves(procedure: Procedure, source: Stage, role: Role) -> tuple[Transition, ...]:
    """What ``role`` may do with a case of ``procedure`` in ``source`` (for the officer's buttons)."""
    return tuple(t for t in TRANSITIONS[procedure] if t.source == source and role in t.roles)


def check_move(
    procedure: Procedure,
    source: Stage,
    target: Stage,
    move: Move,
    actor: Actor,
    participants: Participants,
    reason: str | None = None,
) -> Transition:
    """The transition, once the actor's role, the reason and separation of duties allow it."""
    transition = find_transition(procedure, source, target, move)
    if actor.role not in transition.roles:
        raise MoveRefused(403, "role_not_allowed", f"{actor.role} may not {move} from {source}")
    if transition.needs_reason and not (reason and reason.strip()):
        raise MoveRefused(422, "reason_required", f"{move} into {target} needs a reason")
    if move in DECISIONS:
        _check_separation(actor, participants)
    return transition


def _check_separation(actor: Actor, participants: Participants) -> None:
    deciders = _deciders(actor)
    intake = participants.taken_in_by
    if intake is not None and intake in deciders:
        raise MoveRefused(
            403, "separation_of_duties", "whoever took the application in cannot decide it"
        )
    if actor.role is Role.COMMITTEE:
        if len(deciders) < COMMITTEE_QUORUM:
            raise MoveRefused(
                403,
                "committee_quorum",
                f"a committee decision needs {COMMITTEE_QUORUM} signatories",
            )
        if deciders <= participants.inspected_by:
            raise MoveRefused(
                403, "separation_of_duties", "the case's inspectors cannot decide it alone"
            )


def _deciders(actor: Actor) -> frozenset[str]:
    people: set[str] = set(actor.signatories)
    if actor.person is not None:
        people.add(actor.person)
    return frozenset(people)


@dataclass(frozen=True, slots=True)
class Activity:
    """A shop activity as the catalogue classifies it."""

    code: str
    low_risk: bool  # listed for licensing by notification
    needs_security_approval: bool = False


def shop_procedure(activity: Activity, building_licensed: bool) -> Procedure:
    """Which Law 154/2019 procedure a shop application follows."""
    if not building_licensed:
        return Procedure.SHOP_TEMPORARY
    if activity.low_risk and not activity.needs_security_approval:
        return Procedure.SHOP_NOTIFICATION
    return Procedure.SHOP_STANDARD


def stages_of(procedure: Procedure) -> frozenset[Stage]:
    table = TRANSITIONS[procedure]
    return frozenset({t.source for t in table} | {t.target for t in table})


def is_final(stage: Stage) -> bool:
    return stage in FINAL_STAGES
