"""A service's own workflow from the catalogue, checked against the platform's rules.

A service may choose among the platform's moves (skip the review, skip the collection
step) and name who takes each, but never break the rules :func:`workflow_problems`
checks: who decides, who applies payments, who cancels, and that every state reached
has a way on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from request_service.domain.workflow import (
    BACK_OFFICE,
    CENTRE_MANAGER,
    CITIZEN,
    FINAL_STATES,
    FRONT_OFFICE,
    PARTNER,
    ROLES,
    SYSTEM,
    Condition,
    State,
    Transition,
    Workflow,
)

S = State

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
