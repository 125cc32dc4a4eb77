"""Events to facts: tolerant to optional fields, a named BadEvent for needed ones."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kpi_service.domain.facts import (
    BadEvent,
    Completed,
    Filed,
    StatusChanged,
    facts_of,
    read_events,
)
from tests.kpi.events import common, event

AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


class FridaySaturday:
    """Working days without holidays: Friday and Saturday off."""

    def between(self, a: date, b: date) -> int:
        return sum(
            1
            for n in range(1, (b - a).days + 1)
            if date.fromordinal(a.toordinal() + n).weekday() not in (4, 5)
        )


def test_submitted_keeps_its_event_and_tolerates_missing_optional_fields() -> None:
    data = common("a1", AT)
    e = event("request.submitted", data, AT, "a1")
    (fact,) = facts_of(e)
    assert isinstance(fact, Filed)
    assert fact.event_id == e["id"]
    assert (fact.sla_days, fact.due_at, fact.fee_piasters, fact.intake_officer) == (
        None,
        None,
        0,
        None,
    )
    assert fact.dims.centre == "21-03-F01"
    assert fact.dims.governorate == "21"


def test_missing_needed_fields_are_named() -> None:
    data = common("a1", AT)
    del data["service_code"]
    data["channel"] = "fax"
    with pytest.raises(BadEvent) as caught:
        facts_of(event("request.submitted", data, AT, "a1"))
    assert caught.value.missing == ("service_code",)
    assert caught.value.invalid == ("channel",)


def test_the_envelope_is_checked_and_unknown_types_give_nothing() -> None:
    with pytest.raises(BadEvent) as caught:
        facts_of({"type": "request.submitted", "time": "yesterday"})
    assert caught.value.missing == ("id", "data")
    assert caught.value.invalid == ("time",)
    assert facts_of(event("catalog.fee.changed", {}, AT)) == ()


def test_naive_times_are_refused() -> None:
    e = event("request.submitted", common("a", AT), AT)
    e["time"] = "2026-03-01T08:00:00"
    with pytest.raises(BadEvent) as caught:
        facts_of(e)
    assert caught.value.invalid == ("time",)


def test_completed_without_sla_fields_uses_the_working_days_given() -> None:
    done = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)  # Sunday 1 → Thursday 12 March: 9 working days
    data = common(
        "a",
        done,
        outcome="approved",
        submitted_at=AT.isoformat(),
        completed_at=done.isoformat(),
        sla_days=8,
    )
    (alone,) = facts_of(event("request.completed", data, done))
    assert isinstance(alone, Completed)
    assert alone.sla_met is None
    (counted,) = facts_of(event("request.completed", data, done), working_days=FridaySaturday())
    assert isinstance(counted, Completed)
    assert (counted.working_days_taken, counted.sla_met) == (9, False)
    data["working_days_taken"] = 8
    (given,) = facts_of(event("request.completed", data, done), working_days=FridaySaturday())
    assert isinstance(given, Completed)
    assert given.sla_met is True


def test_cancelled_has_no_sla_and_completed_needs_its_outcome() -> None:
    data = common("a", AT, outcome="cancelled", submitted_at=AT.isoformat(), sla_met=True)
    (fact,) = facts_of(event("request.completed", data, AT))
    assert isinstance(fact, Completed)
    assert fact.sla_met is None
    del data["outcome"], data["submitted_at"]
    with pytest.raises(BadEvent) as caught:
        facts_of(event("request.completed", data, AT))
    assert caught.value.missing == ("outcome", "submitted_at")


def test_status_change_may_come_without_dimensions() -> None:
    (fact,) = facts_of(
        event("request.status_changed", {"to": "under_review", "actor_role": "system"}, AT, "a9")
    )
    assert isinstance(fact, StatusChanged)
    assert (fact.application_id, fact.dims, fact.by_staff) == ("a9", None, False)


def test_read_events_never_raises_and_sorts_good_from_bad() -> None:
    good = event("request.submitted", common("a", AT), AT)
    reading = read_events(
        [good, {"id": "x"}, event("payment.succeeded", {"amount_piasters": -5}, AT)]
    )
    assert len(reading.facts) == 1
    assert reading.bad[0].event_id == "x"
    payment = reading.bad[1]
    assert payment.invalid == ("amount_piasters",)
    assert set(payment.missing) == {"payment_id", "service_code", "jurisdiction", "method"}


def test_satisfaction_scores_outside_one_to_five_are_bad() -> None:
    data = {
        "application_id": "a",
        "service_code": "BLD-001",
        "channel": "centre",
        "jurisdiction": "21",
        "score": 6,
    }
    with pytest.raises(BadEvent) as caught:
        facts_of(event("kpi.satisfaction.recorded", data, AT))
    assert caught.value.invalid == ("score",)
