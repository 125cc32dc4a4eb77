"""The one state model of a payment attempt, whatever the method.

``created → pending → succeeded | failed | expired | cancelled``. Who may cause each
change is written in :data:`TRANSITIONS`, read top to bottom like a table.

Two kinds of cause:

* **provider reports** (:attr:`Trigger.CALLBACK`, :attr:`Trigger.STATUS_QUERY`) are facts
  from outside: a report that would not change anything we allow (a late "failed" after a
  success, a "pending" after an answer) is *ignored*, never an error, because the provider
  repeats, reorders and replays them;
* **our own actions** (the create answer, a clerk, the citizen, the expiry job) that the
  table does not allow raise :class:`IllegalTransition`: that is a bug or a race to show.

A success the provider reports after we had given up (expired, cancelled, failed) is
applied, marked ``late``: the money has moved and must be accounted for; finance sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PaymentState(StrEnum):
    CREATED = "created"
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Trigger(StrEnum):
    PROVIDER_ANSWER = "provider_answer"  # the provider's answer to our create request
    CALLBACK = "callback"  # a verified provider callback
    STATUS_QUERY = "status_query"  # what the provider said when we asked
    CLERK = "clerk"  # a finance clerk at the counter
    CITIZEN = "citizen"  # the citizen abandons or cancels
    EXPIRY = "expiry"  # our reconciliation job, after asking the provider once more


TERMINAL: frozenset[PaymentState] = frozenset(
    {PaymentState.SUCCEEDED, PaymentState.FAILED, PaymentState.EXPIRED, PaymentState.CANCELLED}
)
PROVIDER_REPORTS: frozenset[Trigger] = frozenset({Trigger.CALLBACK, Trigger.STATUS_QUERY})

_S, _T = PaymentState, Trigger
_REPORT = PROVIDER_REPORTS

# (from, to): who may cause it.
TRANSITIONS: dict[tuple[PaymentState, PaymentState], frozenset[Trigger]] = {
    (_S.CREATED, _S.PENDING): frozenset({_T.PROVIDER_ANSWER, *_REPORT}),
    (_S.CREATED, _S.FAILED): frozenset({_T.PROVIDER_ANSWER, *_REPORT}),
    (_S.CREATED, _S.SUCCEEDED): frozenset({_T.CLERK, *_REPORT}),  # counter cash; a fast callback
    (_S.CREATED, _S.CANCELLED): frozenset({_T.CITIZEN, _T.CLERK}),
    (_S.PENDING, _S.SUCCEEDED): frozenset(_REPORT),
    (_S.PENDING, _S.FAILED): frozenset(_REPORT),
    (_S.PENDING, _S.EXPIRED): frozenset({_T.EXPIRY, *_REPORT}),
    (_S.PENDING, _S.CANCELLED): frozenset({_T.CITIZEN, *_REPORT}),
    # A late success: the provider took the money after we gave up. Applied, flagged.
    (_S.FAILED, _S.SUCCEEDED): frozenset(_REPORT),
    (_S.EXPIRED, _S.SUCCEEDED): frozenset(_REPORT),
    (_S.CANCELLED, _S.SUCCEEDED): frozenset(_REPORT),
}


class IllegalTransition(ValueError):
    def __init__(self, current: PaymentState, target: PaymentState, trigger: Trigger) -> None:
        super().__init__(f"{trigger.value} may not move a payment from {current} to {target}")
        self.current, self.target, self.trigger = current, target, trigger


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a requested change: ``moved`` (and to which state) or not, and why."""

    state: PaymentState  # the state after the decision
    moved: bool
    late: bool = False  # a success after we had given up on the attempt
    reason: str = ""


def allowed(current: PaymentState, target: PaymentState, trigger: Trigger) -> bool:
    return trigger in TRANSITIONS.get((current, target), frozenset())


def decide(current: PaymentState, target: PaymentState, trigger: Trigger) -> Decision:
    """The decision on moving ``current`` to ``target`` because of ``trigger``.

    Provider reports never raise: what the table does not allow is ignored with a reason.
    Our own actions that the table does not allow raise :class:`IllegalTransition`.
    """
    if current == target:
        return Decision(current, moved=False, reason="already in that state")
    if allowed(current, target, trigger):
        late = target is PaymentState.SUCCEEDED and current in TERMINAL
        return Decision(target, moved=True, late=late, reason="late success" if late else "")
    if trigger in PROVIDER_REPORTS:
        if current is PaymentState.SUCCEEDED:
            reason = f"a {target} report never undoes a success"
        elif current in TERMINAL:
            reason = f"already {current}; only a success is applied after that"
        else:
            reason = f"a report of {target} does not move a {current} payment"
        return Decision(current, moved=False, reason=reason)
    raise IllegalTransition(current, target, trigger)
