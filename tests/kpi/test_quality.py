from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kpi_service.domain.facts import read_events
from kpi_service.domain.quality import (
    future_events,
    last_seen_by_centre,
    missing_fields,
    silent_centres,
)
from tests.kpi.events import common, event
from tests.kpi.test_facts import FridaySaturday


def test_silent_centres_count_working_days() -> None:
    thursday = date(2026, 3, 5)
    seen = {"21-03-F01": date(2026, 3, 4), "21-04-F02": date(2026, 3, 1)}  # Wednesday, Sunday
    sunday = date(2026, 3, 8)  # after the Friday-Saturday weekend
    listed = silent_centres(
        ["21-03-F01", "21-04-F02", "01-01-F01"], seen, sunday, 3, FridaySaturday()
    )
    assert [(c.centre, c.working_days_silent) for c in listed] == [
        ("01-01-F01", None),
        ("21-04-F02", 5),
    ]
    assert (
        silent_centres(["21-03-F01"], seen, thursday, 1, FridaySaturday())[0].working_days_silent
        == 1
    )
    with pytest.raises(ValueError, match="at least 1"):
        silent_centres([], seen, sunday, 0, FridaySaturday())


def test_last_seen_and_missing_and_future() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    early, late = now - timedelta(days=2), now - timedelta(hours=1)
    good = [
        event("request.submitted", common("a", early), early),
        event("request.submitted", common("b", late), late),
    ]
    assert last_seen_by_centre(read_events(good).facts) == {"21-03-F01": date(2026, 3, 1)}
    broken = event("request.submitted", {"channel": "centre"}, now)
    assert [b.event_id for b in missing_fields([*good, broken])] == [broken["id"]]
    ahead = event(
        "request.submitted", common("c", now + timedelta(minutes=10)), now + timedelta(minutes=10)
    )
    slightly = event(
        "request.submitted", common("d", now + timedelta(seconds=30)), now + timedelta(seconds=30)
    )
    found = future_events([*good, ahead, slightly], now, timedelta(minutes=2))
    assert [(f.event_id, f.ahead) for f in found] == [(ahead["id"], timedelta(minutes=10))]
