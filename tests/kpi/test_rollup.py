"""Rollups are a function of the set of facts: any order, any duplicates, the same cells."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from kpi_service.domain.facts import Fact, read_events
from kpi_service.domain.rollup import Cell, RollupState, cells_where, rebuild, total
from tests.kpi.events import common, event, history


def facts_of(events) -> list[Fact]:
    reading = read_events(events)
    assert reading.bad == ()
    return list(reading.facts)


@pytest.mark.parametrize("seed", range(40))
def test_incremental_in_any_order_with_duplicates_equals_rebuild(seed: int) -> None:
    rng = random.Random(seed)
    facts = facts_of(history(rng, 40))
    expected = rebuild(facts).snapshot()
    assert expected  # something was rolled up
    shuffled = facts + rng.sample(facts, len(facts) // 3)  # a third delivered twice
    rng.shuffle(shuffled)
    state = RollupState()
    applied = [state.apply(f) for f in shuffled]
    assert sum(applied) == len(facts)  # every duplicate was refused
    assert state.snapshot() == expected


def test_a_long_history_in_reverse_order_equals_rebuild() -> None:
    facts = facts_of(history(random.Random(99), 400))
    state = RollupState()
    for fact in sorted(facts, key=lambda f: (f.at, f.event_id), reverse=True):
        state.apply(fact)
    assert state.snapshot() == rebuild(facts).snapshot()


def test_the_comparison_can_fail() -> None:
    facts = facts_of(history(random.Random(3), 30))
    assert rebuild(facts[1:]).snapshot() != rebuild(facts).snapshot()


def at(hours: float) -> datetime:
    return datetime(2026, 3, 1, 8, 0, tzinfo=UTC) + timedelta(hours=hours)


def application(app: str = "a1") -> list[dict[str, object]]:
    filed = at(0)
    due = at(24 * 5)
    done = at(24 * 3)
    return [
        event(
            "request.submitted",
            common(app, filed, sla_days=10, due_at=due.isoformat(), intake_actor_id="clerk"),
            filed,
            app,
        ),
        event(
            "request.status_changed",
            common(app, at(2), to="under_review", actor_role="back_office", actor_id="o1"),
            at(2),
            app,
        ),
        event(
            "request.status_changed",
            common(app, at(1), to="cancelled", actor_role="citizen", actor_id="c"),
            at(1),
            app,
        ),
        event(
            "request.completed",
            common(
                app,
                done,
                outcome="approved",
                submitted_at=filed.isoformat(),
                completed_at=done.isoformat(),
                returned_seconds=0,
                processing_seconds=7200,
                working_days_taken=3,
                sla_days=10,
                sla_met=True,
                due_at=due.isoformat(),
                officer_ref="o1",
            ),
            done,
            app,
        ),
    ]


def test_completed_before_submitted_counts_the_filing_once_and_closes_it() -> None:
    events = application()
    completed_only = rebuild(facts_of([events[3]]))
    flows = total(completed_only.cells.values())
    assert (flows.filed, flows.completed, flows.opened - flows.closed) == (1, 1, 0)
    state = RollupState()
    for e in reversed(events):
        for f in facts_of([e]):
            state.apply(f)
    flows = total(state.cells.values())
    assert (flows.filed, flows.completed, flows.decided, flows.sla_met) == (1, 1, 1, 1)
    assert flows.first_actions == 1
    assert flows.first_action_seconds == 2 * 3600  # the citizen's own change is not an action
    assert flows.handling == {7200: 1}
    clerk = total(c for _, c in cells_where(state.cells, officer="clerk"))
    assert clerk.filed == 1


def test_overdue_is_a_flow_that_a_late_completion_closes() -> None:
    filed, due, done = at(0), at(24), at(48)
    app = "late"
    events = [
        event(
            "request.submitted", common(app, filed, sla_days=1, due_at=due.isoformat()), filed, app
        ),
        event(
            "request.completed",
            common(
                app,
                done,
                outcome="rejected",
                submitted_at=filed.isoformat(),
                completed_at=done.isoformat(),
                sla_met=False,
                officer_ref="o2",
            ),
            done,
            app,
        ),
    ]
    open_only = rebuild(facts_of(events[:1]))
    assert total(open_only.cells.values()).overdue_in == 1
    both = total(rebuild(facts_of(events)).cells.values())
    assert (both.overdue_in, both.overdue_out, both.sla_missed) == (1, 1, 1)


def test_first_answer_counts_and_sms_takes_the_latest_receipt() -> None:
    dims = {"service_code": "BLD-001", "channel": "portal", "jurisdiction": "21"}
    events = [
        event("kpi.satisfaction.recorded", {**dims, "application_id": "a", "score": 2}, at(2), "a"),
        event("kpi.satisfaction.recorded", {**dims, "application_id": "a", "score": 5}, at(1), "a"),
        event("notification.sms.failed", {"message_id": "m", "error_code": "no_receipt"}, at(1)),
        event("notification.sms.delivered", {"message_id": "m"}, at(3)),
        event("notification.sms.sent", {"message_id": "m"}, at(0)),
    ]
    cells = total(rebuild(facts_of(events)).cells.values())
    assert (cells.answers, cells.score_sum, cells.satisfied) == (1, 5, 1)
    assert (cells.sms_delivered, cells.sms_failed, cells.sms_pending) == (1, 0, 0)


def test_a_payment_repeated_under_another_event_id_counts_once() -> None:
    data = {
        "payment_id": "p",
        "service_code": "BLD-001",
        "jurisdiction": "21-03-F01",
        "centre_code": "21-03-F01",
        "method": "card",
        "amount_piasters": 5000,
    }
    facts = facts_of(
        [event("payment.succeeded", data, at(0)), event("payment.succeeded", data, at(1))]
    )
    cells = total(rebuild(facts).cells.values())
    assert (cells.payments, cells.revenue_piasters, cells.revenue_by_method) == (
        1,
        5000,
        {"card": 5000},
    )


def test_cells_are_placed_on_the_cairo_day() -> None:
    late_evening = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)  # 00:30 on 2 March in Cairo
    facts = facts_of([event("request.submitted", common("x", late_evening), late_evening, "x")])
    (key,) = rebuild(facts).cells
    assert key.day == date(2026, 3, 2)


def test_cells_where_scopes_by_jurisdiction() -> None:
    state = rebuild(facts_of(history(random.Random(5), 60)))
    everything = total(state.cells.values()).filed
    giza = total(c for _, c in cells_where(state.cells, jurisdiction="21")).filed
    cairo = total(c for _, c in cells_where(state.cells, jurisdiction="01")).filed
    assert giza + cairo == everything
    assert 0 < giza < everything


def test_cell_add_and_retract_leave_nothing() -> None:
    cell = Cell(filed=2)
    cell.handling[30] = 1
    empty = Cell()
    empty.add(cell)
    empty.add(cell, -1)
    assert empty.is_empty()
