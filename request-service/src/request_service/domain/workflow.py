"""The application workflow as data: which role may move an application from which state to which.

The default table below serves every service; a service whose catalogue entry
carries its own ``workflow.transitions`` uses that instead, once
:func:`workflow_from_catalogue` has checked it against the platform's rules.
Separation of duties and the reasons owed to the citizen are rules over target
states, not columns, so no per-service table can switch them off.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from request_service.domain.text import Bilingual


class State(StrEnum):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    AWAITING_PAYMENT = "awaiting_payment"
    IN_PROCESSING = "in_processing"
    RETURNED_TO_CITIZEN = "returned_to_citizen"
    APPROVED = "approved"
    REJECTED = "rejected"
    READY_FOR_COLLECTION = "ready_for_collection"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


# Roles that act on applications. ``system`` is this service itself (payments, timers).
CITIZEN, PARTNER, FRONT_OFFICE, BACK_OFFICE, CENTRE_MANAGER, SYSTEM = (
    "citizen",
    "partner",
    "front_office",
    "back_office",
    "centre_manager",
    "system",
)
ROLES = frozenset({CITIZEN, PARTNER, FRONT_OFFICE, BACK_OFFICE, CENTRE_MANAGER, SYSTEM})
# When a principal could act in several roles, the first allowed one in this order is used.
ROLE_PREFERENCE = (CITIZEN, PARTNER, FRONT_OFFICE, BACK_OFFICE, CENTRE_MANAGER, SYSTEM)

FINAL_STATES = frozenset({State.DELIVERED, State.REJECTED, State.CANCELLED})
# The SLA clock runs in these states (it stops at the decision; it pauses while returned).
SLA_STATES = frozenset(
    {State.SUBMITTED, State.UNDER_REVIEW, State.AWAITING_PAYMENT, State.IN_PROCESSING}
)
# The back office holds an application in these states (its officer's load).
BACK_OFFICE_STATES = frozenset({State.IN_PROCESSING, State.RETURNED_TO_CITIZEN})
# Its assigned officer still has to act on it (approved: preparing the output).
ASSIGNED_STATES = BACK_OFFICE_STATES | {State.APPROVED}
# Moving an application into these states always needs a reason (the citizen is owed one).
REASON_TARGETS = frozenset({State.RETURNED_TO_CITIZEN, State.REJECTED})
# Staff who cancel for the applicant (at the applicant's request, before processing) say why.
ON_BEHALF_ROLES = frozenset({FRONT_OFFICE, CENTRE_MANAGER})
# Whoever took the application in at a counter may never move it into these states.
SEPARATED_TARGETS = frozenset(
    {
        State.AWAITING_PAYMENT,
        State.IN_PROCESSING,
        State.RETURNED_TO_CITIZEN,
        State.APPROVED,
        State.REJECTED,
        State.READY_FOR_COLLECTION,
    }
)

Condition = Literal["fee_due", "no_fee"]
Bucket = Literal["waiting", "processing", "returned"]

_BUCKETS: dict[State, Bucket] = {
    State.SUBMITTED: "waiting",
    State.UNDER_REVIEW: "waiting",
    State.AWAITING_PAYMENT: "waiting",
    State.IN_PROCESSING: "processing",
    State.RETURNED_TO_CITIZEN: "returned",
}


def duration_bucket(state: State) -> Bucket | None:
    """Where time spent in ``state`` is counted for KPIs (waiting, processing, returned)."""
    return _BUCKETS.get(state)


@dataclass(frozen=True, slots=True)
class Transition:
    source: State
    target: State
    roles: frozenset[str]
    needs_reason: bool = False
    when: Condition | None = None  # evaluated against the fee quoted on leaving review


def _t(
    source: State,
    target: State,
    *roles: str,
    needs_reason: bool = False,
    when: Condition | None = None,
) -> Transition:
    return Transition(source, target, frozenset(roles), needs_reason, when)


S = State
DEFAULT_TRANSITIONS: tuple[Transition, ...] = (
    _t(S.SUBMITTED, S.UNDER_REVIEW, FRONT_OFFICE),
    _t(S.SUBMITTED, S.CANCELLED, CITIZEN, PARTNER, FRONT_OFFICE, CENTRE_MANAGER),
    _t(S.UNDER_REVIEW, S.AWAITING_PAYMENT, FRONT_OFFICE, when="fee_due"),
    _t(S.UNDER_REVIEW, S.IN_PROCESSING, FRONT_OFFICE, when="no_fee"),
    _t(S.UNDER_REVIEW, S.CANCELLED, CITIZEN, PARTNER, FRONT_OFFICE, CENTRE_MANAGER),
    _t(S.AWAITING_PAYMENT, S.IN_PROCESSING, SYSTEM),
    _t(S.AWAITING_PAYMENT, S.CANCELLED, CITIZEN, PARTNER, FRONT_OFFICE, CENTRE_MANAGER),
    _t(S.IN_PROCESSING, S.RETURNED_TO_CITIZEN, BACK_OFFICE, needs_reason=True),
    _t(S.RETURNED_TO_CITIZEN, S.IN_PROCESSING, CITIZEN, PARTNER, FRONT_OFFICE),
    _t(S.IN_PROCESSING, S.APPROVED, BACK_OFFICE),
    _t(S.IN_PROCESSING, S.REJECTED, BACK_OFFICE, needs_reason=True),
    _t(S.APPROVED, S.READY_FOR_COLLECTION, BACK_OFFICE),
    _t(S.READY_FOR_COLLECTION, S.DELIVERED, FRONT_OFFICE),
)


@dataclass(frozen=True, slots=True)
class Workflow:
    transitions: tuple[Transition, ...]

    def find(self, source: State, target: State) -> Transition | None:
        return next(
            (t for t in self.transitions if t.source == source and t.target == target), None
        )

    def from_state(self, source: State) -> tuple[Transition, ...]:
        return tuple(t for t in self.transitions if t.source == source)


DEFAULT_WORKFLOW = Workflow(DEFAULT_TRANSITIONS)


class TransitionRefused(Exception):
    """Why a transition may not happen; ``status`` is the HTTP answer it deserves."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


def needs_reason(transition: Transition, role: str) -> bool:
    """Whether making ``transition`` in ``role`` needs a reason, whatever the table says."""
    return (
        transition.needs_reason
        or transition.target in REASON_TARGETS
        or (transition.target == State.CANCELLED and role in ON_BEHALF_ROLES)
    )


def authorize(
    workflow: Workflow,
    source: State,
    target: State,
    acting_roles: Collection[str],
    *,
    by_intake_clerk: bool,
    has_reason: bool,
) -> tuple[Transition, str]:
    """The transition and the role it is made in; raises :class:`TransitionRefused`.

    409 ``invalid_transition`` when the table has no such move from the current
    state, 403 ``role_not_allowed`` when none of the actor's roles may make it,
    403 ``separation_of_duties`` when the clerk who took the application in tries
    to move it past review, 422 ``reason_required`` (see :func:`needs_reason`).
    """
    transition = workflow.find(source, target)
    if transition is None:
        raise TransitionRefused(
            409, "invalid_transition", f"an application in {source} cannot move to {target}"
        )
    role = next((r for r in ROLE_PREFERENCE if r in acting_roles and r in transition.roles), None)
    if role is None:
        raise TransitionRefused(
            403,
            "role_not_allowed",
            f"moving to {target} needs role: " + ", ".join(sorted(transition.roles)),
        )
    if by_intake_clerk and target in SEPARATED_TARGETS:
        raise TransitionRefused(
            403,
            "separation_of_duties",
            "whoever took the application in cannot move it past review or decide it",
        )
    if needs_reason(transition, role) and not has_reason:
        raise TransitionRefused(422, "reason_required", f"moving to {target} needs a reason")
    return transition, role


def check_condition(transition: Transition, fee_due: bool) -> None:
    if transition.when == "fee_due" and not fee_due:
        raise TransitionRefused(409, "no_fee_due", "no fee is due; move it to in_processing")
    if transition.when == "no_fee" and fee_due:
        raise TransitionRefused(
            409, "payment_required", "a fee is due; move it to awaiting_payment"
        )


def allowed_targets(
    workflow: Workflow, source: State, acting_roles: Collection[str], *, by_intake_clerk: bool
) -> list[State]:
    """Where this actor could move the application next (fee conditions not evaluated)."""
    return [
        t.target
        for t in workflow.from_state(source)
        if t.roles & set(acting_roles)
        and t.roles != {SYSTEM}
        and not (by_intake_clerk and t.target in SEPARATED_TARGETS)
    ]


# The moves a per-service workflow may use: the platform's states in their order. A
# service chooses among them (skip the review, skip the collection step) and names who
# takes each, within the rules of workflow_problems.
PERMITTED_MOVES: frozenset[tuple[State, State]] = frozenset(
    {
        (S.SUBMITTED, S.UNDER_REVIEW),
        (S.SUBMITTED, S.AWAITING_PAYMENT),
        (S.SUBMITTED, S.IN_PROCESSING),
        (S.SUBMITTED, S.CANCELLED),
        (S.UNDER_REVIEW, S.AWAITING_PAYMENT),
        (S.UNDER_REVIEW, S.IN_PROCESSING),
        (S.UNDER_REVIEW, S.CANCELLED),
        (S.AWAITING_PAYMENT, S.IN_PROCESSING),
        (S.AWAITING_PAYMENT, S.CANCELLED),
        (S.IN_PROCESSING, S.RETURNED_TO_CITIZEN),
        (S.IN_PROCESSING, S.APPROVED),
        (S.IN_PROCESSING, S.REJECTED),
        (S.RETURNED_TO_CITIZEN, S.IN_PROCESSING),
        (S.APPROVED, S.READY_FOR_COLLECTION),
        (S.APPROVED, S.DELIVERED),
        (S.READY_FOR_COLLECTION, S.DELIVERED),
    }
)
BEFORE_PROCESSING = frozenset({State.SUBMITTED, State.UNDER_REVIEW})
DECISION_TARGETS = frozenset({State.APPROVED, State.REJECTED, State.RETURNED_TO_CITIZEN})
INTAKE_STAFF = frozenset({FRONT_OFFICE, CENTRE_MANAGER})  # review and send on before processing
OUTPUT_STAFF = frozenset({FRONT_OFFICE, BACK_OFFICE, CENTRE_MANAGER})  # prepare and hand over
CANCELLING_ROLES = frozenset({CITIZEN, PARTNER, FRONT_OFFICE, CENTRE_MANAGER})


def _parse_entry(entry: Mapping[str, Any]) -> Transition:
    try:
        source, target = State(entry["from"]), State(entry["to"])
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"bad transition {entry!r}") from exc
    raw_roles = entry.get("roles") or ()
    if isinstance(raw_roles, str) or not isinstance(raw_roles, Sequence):
        raise ValueError(f"bad roles in {entry!r}")
    roles = frozenset(str(r) for r in raw_roles)
    if not roles or not roles <= ROLES:
        raise ValueError(f"bad roles in {entry!r}")
    when = entry.get("when")
    if when not in (None, "fee_due", "no_fee"):
        raise ValueError(f"bad condition in {entry!r}")
    return Transition(source, target, roles, bool(entry.get("needs_reason", False)), when)


def _who_may(t: Transition) -> tuple[frozenset[str], str]:
    """The roles that may take a permitted move, and the rule that says so."""
    if t.source == State.IN_PROCESSING or t.target in DECISION_TARGETS:
        return frozenset({BACK_OFFICE}), "decisions are the back office's alone"
    if (t.source, t.target) == (State.AWAITING_PAYMENT, State.IN_PROCESSING):
        return frozenset({SYSTEM}), "only a payment moves an application out of awaiting_payment"
    if t.target == State.CANCELLED:
        return CANCELLING_ROLES, "cancelled only by the applicant or the front office for them"
    if t.source in BEFORE_PROCESSING:
        return INTAKE_STAFF, "the front office reviews and sends applications on"
    if t.target in (State.READY_FOR_COLLECTION, State.DELIVERED):
        return OUTPUT_STAFF, "staff prepare and hand over the output"
    return ROLES - {SYSTEM}, "the system role only applies payments"


def _move_problems(t: Transition) -> list[str]:
    """What is wrong with one move on its own."""
    move = f"{t.source} → {t.target}"
    if t.source in FINAL_STATES:
        return [f"{t.source} is final"]
    if (t.source, t.target) not in PERMITTED_MOVES:
        return [f"{move} is not a move of the platform's workflow"]
    problems = []
    allowed, rule = _who_may(t)
    if SYSTEM in t.roles and SYSTEM not in allowed:
        problems.append(f"{move}: the system role only applies payments")
    elif not t.roles <= allowed:
        problems.append(f"{move}: {rule}")
    expected_when: Condition | None = None
    if t.target == State.AWAITING_PAYMENT:
        expected_when = "fee_due"
    elif t.source in BEFORE_PROCESSING and t.target == State.IN_PROCESSING:
        expected_when = "no_fee"
    if t.when != expected_when:
        problems.append(f"{move}: the condition must be {expected_when or 'none'}")
    return problems


def _reachable(transitions: Sequence[Transition]) -> set[State]:
    seen, frontier = {State.SUBMITTED}, [State.SUBMITTED]
    while frontier:
        state = frontier.pop()
        for t in transitions:
            if t.source == state and t.target not in seen:
                seen.add(t.target)
                frontier.append(t.target)
    return seen


def workflow_problems(transitions: Sequence[Transition]) -> list[str]:
    """Every rule of the platform a per-service table breaks (empty when it is usable).

    Each move must be one of :data:`PERMITTED_MOVES`; decisions (out of
    ``in_processing``, into approved, rejected, returned_to_citizen) are the back
    office's alone; only the system (a payment) leaves ``awaiting_payment``, and
    an application entering it can leave it; fees decide between payment and
    processing (``fee_due`` / ``no_fee``, in pairs); only the applicant or the
    front office for them cancels; the front office sends applications on
    before processing; staff hand the output over; every state reached has a
    way on, and a decision can be reached.
    """
    problems = [p for t in transitions for p in _move_problems(t)]
    moves = {(t.source, t.target) for t in transitions}
    for source in BEFORE_PROCESSING:
        to_payment = (source, State.AWAITING_PAYMENT) in moves
        to_processing = (source, State.IN_PROCESSING) in moves
        if to_payment != to_processing:
            problems.append(
                f"from {source}, awaiting_payment (fee_due) and in_processing (no_fee) go together"
            )
    targets = {t for _, t in moves}
    if State.AWAITING_PAYMENT in targets and (
        (State.AWAITING_PAYMENT, State.IN_PROCESSING) not in moves
    ):
        problems.append("awaiting_payment needs its way out on payment (system)")
    reachable = _reachable(transitions)
    for state in sorted(reachable - FINAL_STATES):
        if not any(source == state for source, _ in moves):
            problems.append(f"{state} is reached but has no way on")
    if not reachable & {State.APPROVED, State.REJECTED}:
        problems.append("no decision (approved or rejected) can be reached")
    return problems


def workflow_from_catalogue(entries: Sequence[Mapping[str, Any]]) -> Workflow:
    """A per-service table from the catalogue: ``[{"from", "to", "roles", "needs_reason", "when"}]``.

    Raises ValueError naming what is wrong: an unknown state, role or condition,
    a repeated move, an empty table, or a broken rule (:func:`workflow_problems`).
    """
    transitions: list[Transition] = []
    seen: set[tuple[State, State]] = set()
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise ValueError(f"bad transition {entry!r}")
        transition = _parse_entry(entry)
        if (transition.source, transition.target) in seen:
            raise ValueError(f"repeated transition {transition.source} → {transition.target}")
        seen.add((transition.source, transition.target))
        transitions.append(transition)
    if not transitions:
        raise ValueError("an empty workflow")
    problems = workflow_problems(transitions)
    if problems:
        raise ValueError("; ".join(problems))
    return Workflow(tuple(transitions))


def outcome_of(final: State) -> str:
    return {State.DELIVERED: "approved", State.REJECTED: "rejected"}.get(final, "cancelled")


STATE_NAMES: Mapping[State, Bilingual] = {
    S.SUBMITTED: Bilingual("تم التقديم", "Submitted"),
    S.UNDER_REVIEW: Bilingual("قيد المراجعة", "Under review"),
    S.AWAITING_PAYMENT: Bilingual("في انتظار السداد", "Awaiting payment"),
    S.IN_PROCESSING: Bilingual("قيد التنفيذ", "In processing"),
    S.RETURNED_TO_CITIZEN: Bilingual("مُعاد للمواطن لاستكمال", "Returned to the citizen"),
    S.APPROVED: Bilingual("تمت الموافقة", "Approved"),
    S.REJECTED: Bilingual("مرفوض", "Rejected"),
    S.READY_FOR_COLLECTION: Bilingual("جاهز للتسليم", "Ready for collection"),
    S.DELIVERED: Bilingual("تم التسليم", "Delivered"),
    S.CANCELLED: Bilingual("ملغى", "Cancelled"),
}

NEXT_STEPS: Mapping[State, Bilingual] = {
    S.SUBMITTED: Bilingual(
        "سيراجع موظف المركز طلبك ومستنداته.", "A centre clerk will review your application."
    ),
    S.UNDER_REVIEW: Bilingual(
        "تجري مراجعة المستندات؛ ستصلك رسالة بالخطوة التالية.",
        "Your documents are being checked; you will be told the next step.",
    ),
    S.AWAITING_PAYMENT: Bilingual(
        "يرجى سداد الرسوم المستحقة ليبدأ التنفيذ.", "Please pay the fees due so work can start."
    ),
    S.IN_PROCESSING: Bilingual(
        "طلبك قيد التنفيذ لدى الإدارة المختصة.", "The department is working on your application."
    ),
    S.RETURNED_TO_CITIZEN: Bilingual(
        "يرجى استكمال ما طُلب منك ثم إعادة تقديم الطلب.",
        "Please provide what was asked for, then resubmit.",
    ),
    S.APPROVED: Bilingual(
        "تمت الموافقة؛ جارٍ تجهيز المخرجات.", "Approved; the output is being prepared."
    ),
    S.REJECTED: Bilingual("رُفض الطلب؛ راجع سبب الرفض.", "Rejected; see the reason given."),
    S.READY_FOR_COLLECTION: Bilingual(
        "المخرجات جاهزة؛ تفضل بالاستلام من المركز ومعك بطاقتك.",
        "Ready; collect it at the centre with your ID card.",
    ),
    S.DELIVERED: Bilingual("تم تسليم المخرجات. شكرًا لك.", "Delivered. Thank you."),
    S.CANCELLED: Bilingual("أُلغي الطلب.", "The application was cancelled."),
}
