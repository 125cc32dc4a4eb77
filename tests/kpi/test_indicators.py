"""Indicators computed from rollups: known small histories, by hand."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from kpi_service.domain.facts import SOURCE_EVENTS, read_events
from kpi_service.domain.indicators import (
    BY_CODE,
    INDICATORS,
    Scope,
    breakdown,
    median,
    revenue_by_method,
)
from kpi_service.domain.rollup import Cell, CellKey, rebuild
from tests.kpi.events import common, event, history

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)  # a Sunday; 10:00 in Cairo


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def cells(events: list[dict[str, Any]]) -> dict[CellKey, Cell]:
    reading = read_events(events)
    assert reading.bad == ()
    return rebuild(reading.facts).cells


def filed(app: str, channel: str, clerk: str | None = None, hours: float = 0, **more):
    centre = "21-03-F01" if channel == "centre" else None
    data = common(
        app,
        h(hours),
        channel=channel,
        centre_code=centre,
        jurisdiction=centre or "21",
        intake_actor_id=clerk,
        **more,
    )
    return event("request.submitted", data, h(hours), app)


def done(
    app: str,
    outcome: str,
    hours: float,
    *,
    sla_met: bool | None,
    officer: str,
    returned: int = 0,
    processing: int = 3600,
    channel: str = "centre",
):
    centre = "21-03-F01" if channel == "centre" else None
    data = common(
        app,
        h(hours),
        channel=channel,
        centre_code=centre,
        jurisdiction=centre or "21",
        outcome=outcome,
        submitted_at=T0.isoformat(),
        completed_at=h(hours).isoformat(),
        returned_seconds=returned,
        processing_seconds=processing,
        sla_met=sla_met,
        officer_ref=officer,
    )
    return event("request.completed", data, h(hours), app)


def test_every_indicator_is_fully_described() -> None:
    assert len(BY_CODE) == len(INDICATORS)
    for indicator in INDICATORS:
        assert indicator.name_ar
        assert indicator.name_en
        assert indicator.formula
        assert indicator.unit
        assert set(indicator.sources) <= set(SOURCE_EVENTS), indicator.code


def test_volumes_take_up_and_per_clerk_day() -> None:
    rollup = cells(
        [
            filed("a", "centre", "c1"),
            filed("b", "centre", "c1"),
            filed("c", "centre", "c2"),
            filed("d", "portal"),
            filed("e", "app"),
            filed("f", "partner_api"),
            filed("g", "centre", "c1", hours=24),
        ]
    )
    everything = Scope()
    assert BY_CODE["VOL_FILED"].value(rollup, everything) == 7
    assert BY_CODE["DIGITAL_TAKE_UP"].value(rollup, everything) == pytest.approx(3 / 7)
    assert BY_CODE["PORTAL_SHARE"].value(rollup, everything) == pytest.approx(1 / 7)
    # c1 took 2 on day 1 and 1 on day 2, c2 took 1: 4 applications over 3 clerk-days
    assert BY_CODE["FO_INTAKE_PER_CLERK_DAY"].value(rollup, everything) == pytest.approx(4 / 3)
    first_day = Scope(first=date(2026, 3, 1), last=date(2026, 3, 1))
    assert BY_CODE["VOL_FILED"].value(rollup, first_day) == 6
    assert breakdown(BY_CODE["VOL_FILED"], rollup, everything, "channel") == {
        "app": 1,
        "centre": 4,
        "partner_api": 1,
        "portal": 1,
    }


def test_back_office_and_staff_measures() -> None:
    rollup = cells(
        [
            filed("a", "centre"),
            filed("b", "centre"),
            filed("c", "centre"),
            filed("d", "centre"),
            done("a", "approved", 48, sla_met=True, officer="o1", processing=3600),
            done(
                "b",
                "rejected",
                96,
                sla_met=False,
                officer="o1",
                returned=24 * 3600,
                processing=7200,
            ),
            done("c", "cancelled", 10, sla_met=None, officer="o2"),
        ]
    )
    s = Scope()
    assert BY_CODE["VOL_COMPLETED"].value(rollup, s) == 3
    assert BY_CODE["BO_SLA_COMPLIANCE"].value(rollup, s) == 0.5
    assert BY_CODE["BO_PROCESSING_DAYS"].value(rollup, s) == pytest.approx((2 + 3) / 2)
    assert BY_CODE["FO_RETURNED_SHARE"].value(rollup, s) == 0.5
    assert BY_CODE["FO_FIRST_TIME_RIGHT"].value(rollup, s) == 0.5
    assert BY_CODE["BO_BACKLOG"].value(rollup, s) == 1
    assert (
        BY_CODE["BO_BACKLOG"].value(rollup, Scope(last=date(2026, 3, 2))) == 3
    )  # only c done by then
    o1 = Scope(officer="o1")
    assert BY_CODE["STAFF_THROUGHPUT"].value(rollup, o1) == 2
    assert BY_CODE["STAFF_MEDIAN_HANDLING_HOURS"].value(rollup, o1) == 1.5
    assert (
        BY_CODE["STAFF_SLA_COMPLIANCE"].value(rollup, Scope(officer="o2")) is None
    )  # no data, not 0


def test_revenue_sms_satisfaction_and_licensing() -> None:
    pay = {"service_code": "SHP-013", "jurisdiction": "21-03-F01", "centre_code": "21-03-F01"}
    lic = {"service_code": "SHP-013", "jurisdiction": "21-03-F01", "centre_code": "21-03-F01"}
    rollup = cells(
        [
            event(
                "payment.succeeded",
                {**pay, "payment_id": "p1", "method": "card", "amount_piasters": 10000},
                h(1),
            ),
            event(
                "payment.succeeded",
                {**pay, "payment_id": "p2", "method": "outlet", "amount_piasters": 5000},
                h(2),
            ),
            event(
                "payment.refunded",
                {
                    **pay,
                    "refund_id": "r1",
                    "payment_id": "p1",
                    "method": "card",
                    "amount_piasters": 2500,
                },
                h(3),
            ),
            event("notification.sms.delivered", {"message_id": "m1"}, h(1)),
            event("notification.sms.failed", {"message_id": "m2"}, h(1)),
            event("notification.sms.sent", {"message_id": "m3"}, h(1)),
            event(
                "kpi.satisfaction.recorded",
                {**pay, "channel": "centre", "application_id": "a", "score": 5},
                h(1),
            ),
            event(
                "kpi.satisfaction.recorded",
                {**pay, "channel": "centre", "application_id": "b", "score": 2},
                h(1),
            ),
            event(
                "licensing.case_opened",
                {
                    **lic,
                    "case_id": "k1",
                    "family": "shop",
                    "inspections_required": ["health", "police"],
                },
                h(0),
            ),
            event(
                "licensing.inspection_recorded",
                {**lic, "case_id": "k1", "authority": "health"},
                h(5),
            ),
            event(
                "licensing.case_opened",
                {
                    **lic,
                    "case_id": "k2",
                    "family": "building",
                    "inspections_required": ["civil_protection"],
                },
                h(0),
            ),
            event("licensing.deemed_approved", {**lic, "case_id": "k2"}, h(9)),
            event(
                "licensing.decision_made",
                {**lic, "case_id": "k3", "decision": "approved", "clock_met": True},
                h(9),
            ),
        ]
    )
    s = Scope()
    assert BY_CODE["REV_COLLECTED"].value(rollup, s) == 15000
    assert BY_CODE["REV_NET"].value(rollup, s) == 12500
    assert revenue_by_method(rollup, s) == {"card": 10000, "outlet": 5000}
    assert BY_CODE["SMS_DELIVERY_RATE"].value(rollup, s) == 0.5
    assert (
        BY_CODE["SMS_DELIVERY_RATE"].value(rollup, Scope(jurisdiction="21")) is None
    )  # national only
    assert (
        BY_CODE["SAT_MEAN"].value(rollup, s),
        BY_CODE["SAT_SHARE"].value(rollup, s),
        BY_CODE["SAT_ANSWERS"].value(rollup, s),
    ) == (3.5, 0.5, 2)
    assert BY_CODE["LIC_DEEMED"].value(rollup, s) == 1
    assert BY_CODE["LIC_CLOCK_MET"].value(rollup, s) == 0.5
    assert BY_CODE["LIC_INSPECTION_BACKLOG"].value(rollup, s) == 1  # police for k1; k2 decided


def test_overdue_and_escalations() -> None:
    due = h(24).isoformat()
    rollup = cells(
        [
            filed("a", "centre", due_at=due),
            filed("b", "centre", due_at=due),
            done("b", "approved", 2, sla_met=True, officer="o1"),
            event(
                "request.escalated", common("a", h(30), due_at=due, officer_ref="o1"), h(30), "a"
            ),
        ]
    )
    assert BY_CODE["BO_OVERDUE"].value(rollup, Scope(last=date(2026, 3, 1))) == 0
    assert BY_CODE["BO_OVERDUE"].value(rollup, Scope(last=date(2026, 3, 2))) == 1
    assert BY_CODE["BO_ESCALATIONS"].value(rollup, Scope()) == 1


def test_drill_down_sums_up() -> None:
    rollup = cells(history(random.Random(11), 120))
    national = BY_CODE["VOL_FILED"].value(rollup, Scope())
    by_governorate = breakdown(BY_CODE["VOL_FILED"], rollup, Scope(), "governorate")
    assert sum(v or 0 for v in by_governorate.values()) == national
    giza = breakdown(BY_CODE["VOL_FILED"], rollup, Scope(jurisdiction="21"), "centre")
    assert set(giza) <= {"21-03-F01", "21-04-F02", None}


def test_median() -> None:
    from collections import Counter

    assert median(Counter({1: 1, 5: 1, 9: 1})) == 5
    assert median(Counter({2: 2, 4: 2})) == 3
    assert median(Counter()) is None
