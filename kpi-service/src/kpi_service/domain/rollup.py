"""Rollups as a pure function of the SET of facts.

The cells are additive counters per (Cairo day, jurisdiction, governorate, centre, service,
channel, officer). What a fact adds depends on the other facts of the same entity (an
application, a payment, a refund, an SMS message, a licensing case, a satisfaction answer),
so the state keeps each entity's facts and the cells are a function of them:

* a fact whose event id was seen is ignored (duplicates);
* where one value must be chosen among an entity's facts, the rule is the latest by
  (time, event id), except the *first* answer of a citizen and the *first* staff action,
  which are the earliest by (time, event id);
* applying a fact retracts the entity's old contribution and adds its new one
  (integer arithmetic and multisets, so nothing drifts).

Hence :meth:`RollupState.apply` in any order, with duplicates, gives exactly the cells of
:func:`rebuild`. Stocks (backlog, overdue, inspection backlog) are kept as flows
(``opened``/``closed``, ``overdue_in``/``overdue_out``, ``inspections_due``/``_done``): the
stock at the end of a day is the sum of the flows of every day up to it.

The cells themselves (:class:`Cell`, :class:`CellKey`, :func:`cells_where`) are in
:mod:`kpi_service.domain.cells`; they are importable from here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from kpi_service.domain.cells import NATIONAL, Cell, CellKey, cells_where, total
from kpi_service.domain.days import cairo_date
from kpi_service.domain.facts import (
    RETURNED,
    CaseDecided,
    CaseOpened,
    Completed,
    Escalated,
    Fact,
    Filed,
    InspectionRecorded,
    LicenceChanged,
    PaymentRefunded,
    PaymentSucceeded,
    SatisfactionAnswered,
    SmsStatus,
    StatusChanged,
    order_key,
)

__all__ = [
    "NATIONAL",
    "Cell",
    "CellKey",
    "Contribution",
    "RollupState",
    "cells_where",
    "facts_at",
    "rebuild",
    "total",
]

T = TypeVar("T", bound=Fact)


Contribution = list[tuple[CellKey, Cell]]


def _cell(**values: int) -> Cell:
    return Cell(**values)  # type: ignore[arg-type]


# --- entities -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Application:
    filed: list[Filed] = field(default_factory=list)
    changes: list[StatusChanged] = field(default_factory=list)
    completed: list[Completed] = field(default_factory=list)


def _latest(items: list[T]) -> T | None:
    return max(items, key=order_key) if items else None


def _application(app: _Application) -> Contribution:
    filed, completed = _latest(app.filed), _latest(app.completed)
    if filed is not None:
        dims, filed_at = filed.dims, filed.at
    elif completed is not None:
        dims, filed_at = completed.dims, completed.submitted_at
    else:
        return []  # only status changes so far: nothing to place yet
    out: Contribution = []
    filing_day = cairo_date(filed_at)
    intake = filed.intake_officer if filed is not None else None
    out.append((CellKey(filing_day, dims, intake), _cell(filed=1, opened=1)))
    staff = [c for c in app.changes if c.by_staff]
    if staff:
        first = min(staff, key=order_key)
        wait = max(0, int((first.at - filed_at).total_seconds()))
        out.append(
            (
                CellKey(cairo_date(first.at), dims, first.actor),
                _cell(first_actions=1, first_action_seconds=wait),
            )
        )
    # The deadline is the latest one any fact stated.
    stated: list[Filed | StatusChanged | Completed] = [*app.filed, *app.changes, *app.completed]
    deadlines = [(order_key(f), f.due_at) for f in stated if f.due_at is not None]
    due_at = max(deadlines)[1] if deadlines else None
    if completed is not None:
        end = completed.completed_at
        returned = completed.returned_seconds > 0 or any(
            c.to_state == RETURNED for c in app.changes
        )
        cell = _cell(completed=1, closed=1)
        setattr(cell, completed.outcome, 1)
        if completed.decided:
            cell.decided = 1
            cell.returned = int(returned)
            cell.held_seconds = completed.held_seconds
            if completed.sla_met is None:
                cell.sla_unknown = 1
            elif completed.sla_met:
                cell.sla_met = 1
            else:
                cell.sla_missed = 1
            if completed.processing_seconds is not None:
                cell.handling[completed.processing_seconds] = 1
        out.append((CellKey(cairo_date(end), dims, completed.officer), cell))
    if due_at is not None and (completed is None or completed.completed_at >= due_at):
        out.append((CellKey(cairo_date(due_at), dims), _cell(overdue_in=1)))
        if completed is not None:
            out.append((CellKey(cairo_date(completed.completed_at), dims), _cell(overdue_out=1)))
    return out


def _payment(facts: list[PaymentSucceeded]) -> Contribution:
    fact = _latest(facts)
    if fact is None:
        return []
    cell = _cell(payments=1, revenue_piasters=fact.amount_piasters)
    cell.revenue_by_method[fact.method] = fact.amount_piasters
    return [(CellKey(cairo_date(fact.at), fact.dims), cell)]


def _refund(facts: list[PaymentRefunded]) -> Contribution:
    fact = _latest(facts)
    if fact is None:
        return []
    cell = _cell(refunds=1, refunded_piasters=fact.amount_piasters)
    cell.refunded_by_method[fact.method] = fact.amount_piasters
    return [(CellKey(cairo_date(fact.at), fact.dims), cell)]


def _sms(facts: list[SmsStatus]) -> Contribution:
    """Counted on the day of the message's first event; its state is the latest receipt."""
    if not facts:
        return []
    first = min(facts, key=order_key)
    ends = [f for f in facts if f.kind != "sent"]
    latest = _latest(ends)
    if latest is None:
        cell = _cell(sms_pending=1)
    elif latest.kind == "delivered":
        cell = _cell(sms_delivered=1)
    else:
        cell = _cell(sms_failed=1)
    return [(CellKey(cairo_date(first.at), NATIONAL), cell)]


@dataclass(slots=True)
class _Case:
    opened: list[CaseOpened] = field(default_factory=list)
    inspections: list[InspectionRecorded] = field(default_factory=list)
    decisions: list[CaseDecided] = field(default_factory=list)
    licences: list[LicenceChanged] = field(default_factory=list)


def _case(case: _Case) -> Contribution:
    out: Contribution = []
    opened = _latest(case.opened)
    finals = [d for d in case.decisions if d.final]
    final = _latest(finals)
    if opened is not None:
        out.append((CellKey(cairo_date(opened.at), opened.dims), _cell(cases_opened=1)))
    if final is not None:
        cell = _cell(
            cases_decided=1, clocks_met=int(final.clock_met), deemed_approvals=int(final.deemed)
        )
        out.append((CellKey(cairo_date(final.at), final.dims), cell))
    if opened is not None:
        due = _cell(inspections_due=len(opened.inspections_required))
        out.append((CellKey(cairo_date(opened.at), opened.dims), due))
        for authority in opened.inspections_required:
            done = [i for i in case.inspections if i.authority == authority]
            if done:
                first = min(done, key=order_key)
                out.append((CellKey(cairo_date(first.at), first.dims), _cell(inspections_done=1)))
            elif final is not None:  # decided without it: no longer waiting
                out.append((CellKey(cairo_date(final.at), final.dims), _cell(inspections_done=1)))
    for licence in case.licences:
        cell = Cell()
        cell.licences[licence.kind] = 1
        out.append((CellKey(cairo_date(licence.at), licence.dims), cell))
    return out


def _answer(facts: list[SatisfactionAnswered]) -> Contribution:
    """One answer per application: the first one (time, then event id) counts."""
    if not facts:
        return []
    first = min(facts, key=order_key)
    cell = _cell(answers=1, score_sum=first.score, satisfied=int(first.score >= 4))
    cell.scores[first.score] = 1
    return [(CellKey(cairo_date(first.at), first.dims, first.officer), cell)]


def _escalation(fact: Escalated) -> Contribution:
    return [(CellKey(cairo_date(fact.at), fact.dims, fact.officer), _cell(escalations=1))]


# --- the state ----------------------------------------------------------------------------


@dataclass(slots=True)
class RollupState:
    """Rollup cells plus what is needed to place any further fact exactly (incremental form)."""

    seen: set[str] = field(default_factory=set)
    cells: dict[CellKey, Cell] = field(default_factory=dict)
    applications: dict[str, _Application] = field(default_factory=dict)
    payments: dict[str, list[PaymentSucceeded]] = field(default_factory=dict)
    refunds: dict[str, list[PaymentRefunded]] = field(default_factory=dict)
    messages: dict[str, list[SmsStatus]] = field(default_factory=dict)
    cases: dict[str, _Case] = field(default_factory=dict)
    answers: dict[str, list[SatisfactionAnswered]] = field(default_factory=dict)

    def apply(self, fact: Fact) -> bool:
        """Add one fact; False (and no change) when its event was already applied."""
        if fact.event_id in self.seen:
            return False
        self.seen.add(fact.event_id)
        if isinstance(fact, Escalated):
            self._add(_escalation(fact), 1)
        elif isinstance(fact, Filed | StatusChanged | Completed):
            app = self.applications.setdefault(fact.application_id, _Application())
            self._add(_application(app), -1)
            if isinstance(fact, Filed):
                app.filed.append(fact)
            elif isinstance(fact, StatusChanged):
                app.changes.append(fact)
            else:
                app.completed.append(fact)
            self._add(_application(app), 1)
        elif isinstance(fact, PaymentSucceeded):
            self._grow(self.payments, fact.payment_id, fact, _payment)
        elif isinstance(fact, PaymentRefunded):
            self._grow(self.refunds, fact.refund_id, fact, _refund)
        elif isinstance(fact, SmsStatus):
            self._grow(self.messages, fact.message_id, fact, _sms)
        elif isinstance(fact, SatisfactionAnswered):
            self._grow(self.answers, fact.application_id, fact, _answer)
        else:
            case = self.cases.setdefault(fact.case_id, _Case())
            self._add(_case(case), -1)
            if isinstance(fact, CaseOpened):
                case.opened.append(fact)
            elif isinstance(fact, InspectionRecorded):
                case.inspections.append(fact)
            elif isinstance(fact, CaseDecided):
                case.decisions.append(fact)
            else:
                case.licences.append(fact)
            self._add(_case(case), 1)
        return True

    def _grow(
        self,
        table: dict[str, list[T]],
        key: str,
        fact: T,
        contribute: Callable[[list[T]], Contribution],
    ) -> None:
        items = table.setdefault(key, [])
        self._add(contribute(items), -1)
        items.append(fact)
        self._add(contribute(items), 1)

    def _add(self, contribution: Contribution, sign: int) -> None:
        for key, delta in contribution:
            cell = self.cells.get(key)
            if cell is None:
                cell = self.cells[key] = Cell()
            cell.add(delta, sign)
            if cell.is_empty():
                del self.cells[key]

    def snapshot(self) -> dict[CellKey, Cell]:
        """A copy of the cells (no empty cell is ever kept)."""
        return {key: cell.copy() for key, cell in self.cells.items()}


def rebuild(facts: Iterable[Fact]) -> RollupState:
    """The rollups of a set of facts, applied in (time, event id) order."""
    state = RollupState()
    for fact in sorted(facts, key=order_key):
        state.apply(fact)
    return state


def facts_at(facts: Iterable[Fact], moment: datetime) -> list[Fact]:
    """The facts known as of ``moment`` (by event time): rollups "as they were"."""
    return [f for f in facts if f.at <= moment]
