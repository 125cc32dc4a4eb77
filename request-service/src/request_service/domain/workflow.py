"""The application workflow as data: which role may move an application from which state to which.

The default table below serves every service; a service whose catalogue entry
carries its own ``workflow.transitions`` uses that instead, once
:func:`request_service.domain.service_workflows.workflow_from_catalogue` has checked
it against the platform's rules.
Separation of duties and the reasons owed to the citizen are rules over target
states, not columns, so no per-service table can switch them off.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

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
