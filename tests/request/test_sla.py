"""Deadlines, the paused clock, the inbox's SLA lists and escalation to the centre manager."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.request.conftest import (
    CERTIFICATE_FILES,
    PREFIX,
    Harness,
    bearer,
    certificate,
    start,
    until,
)
from tests.request.tokens import OFFICERS, People
from tests.support.clock import FakeClock

# Thursday 1 January 2026, 10:00 in Cairo: Friday, Saturday and 7 January do not count.
NEW_YEAR = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def end_of_cairo_day(year: int, month: int, day: int) -> str:
    """Midnight after that day in Cairo (UTC+2 in winter), as the API writes it."""
    return datetime(year, month, day, 22, 0, tzinfo=UTC).isoformat().replace("+00:00", "Z")


async def test_deadline_counts_working_days_and_skips_returned_time(staffed: Harness) -> None:
    service = staffed
    service.clock.now = NEW_YEAR
    app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)  # 3 working days
    assert app["due_at"] == end_of_cairo_day(2026, 1, 6)  # Sun 4, Mon 5, Tue 6
    app = await service.moved(People.clerk2, app, "under_review")
    app = await service.moved(People.clerk2, app, "in_processing")
    officer = OFFICERS[app["staff"]["assigned_officer_id"]]
    service.clock.now = datetime(2026, 1, 4, 9, 0, tzinfo=UTC)  # Sunday
    app = await service.moved(officer, app, "returned_to_citizen", {"en": "Sign the form"})
    service.clock.now = datetime(
        2026, 1, 8, 9, 0, tzinfo=UTC
    )  # Thursday: Mon, Tue, Thu lost (Wed 7 is a holiday)
    app = await service.moved(People.clerk2, app, "in_processing")
    assert app["staff"]["paused_working_days"] == 3
    # 3 + 3 working days after Thu 1: Sun 4, Mon 5, Tue 6, Thu 8, Sun 11, Mon 12.
    assert app["due_at"] == end_of_cairo_day(2026, 1, 12)
    app = await service.moved(officer, app, "approved")
    app = await service.moved(officer, app, "ready_for_collection")
    app = await service.moved(People.clerk2, app, "delivered")
    completed = (await service.events("request.completed", app["id"]))[0]["data"]
    assert completed["sla_met"] is True
    assert completed["working_days_taken"] == 1  # Sun 4 … Thu 8 is 4 working days, 3 of them paused


async def test_a_late_decision_misses_the_sla(staffed: Harness) -> None:
    service = staffed
    service.clock.now = NEW_YEAR
    app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    app = await service.moved(People.clerk2, app, "under_review")
    app = await service.moved(People.clerk2, app, "in_processing")
    service.clock.now = datetime(2026, 1, 7, 9, 0, tzinfo=UTC)  # after the end of Tuesday 6
    app = await service.moved(
        OFFICERS[app["staff"]["assigned_officer_id"]], app, "rejected", {"ar": "ناقص"}
    )
    completed = (await service.events("request.completed", app["id"]))[0]["data"]
    assert completed["sla_met"] is False
    assert completed["working_days_taken"] == 3  # Sun 4, Mon 5, Tue 6 (Wed 7 is a holiday)


async def test_nearing_and_breached_lists(staffed: Harness) -> None:
    service = staffed
    service.clock.now = NEW_YEAR
    early = await service.filed(
        People.clerk, certificate(), CERTIFICATE_FILES
    )  # due end of Tue 6 Jan
    service.clock.now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    later = await service.filed(
        People.clerk, certificate(), CERTIFICATE_FILES
    )  # Tue 6, Thu 8, Sun 11
    service.clock.now = datetime(2026, 1, 6, 8, 0, tzinfo=UTC)  # Tuesday morning

    async def listed(sla: str) -> list[str]:
        response = await service.client.get(
            f"{PREFIX}/inbox", params={"sla": sla}, headers=bearer(People.clerk)
        )
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await listed("nearing") == [early["id"]]
    assert await listed("breached") == []
    assert await listed("on_track") == [later["id"]]
    service.clock.now = datetime(2026, 1, 7, 8, 0, tzinfo=UTC)
    assert await listed("breached") == [early["id"]]
    assert await listed("nearing") == []
    service.clock.now = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)  # within 48 hours of Sunday's end
    assert await listed("nearing") == [later["id"]]
    assert await listed("breached") == [early["id"]]


async def test_breached_applications_are_escalated_once(staffed: Harness) -> None:
    service = staffed
    service.clock.now = NEW_YEAR
    app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    returned = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    returned = await service.moved(People.clerk2, returned, "under_review")
    returned = await service.moved(People.clerk2, returned, "in_processing")
    returned = await service.moved(
        OFFICERS[returned["staff"]["assigned_officer_id"]],
        returned,
        "returned_to_citizen",
        {"ar": "وقّع"},
    )
    escalator = service.app.state.escalator
    assert await escalator.run_once() == 0
    service.clock.now = datetime(2026, 1, 6, 21, 59, tzinfo=UTC)
    assert await escalator.run_once() == 0  # due at 22:00
    service.clock.now = datetime(2026, 1, 6, 22, 0, 1, tzinfo=UTC)
    assert await escalator.run_once() == 1  # the returned one is paused, not breached
    assert await escalator.run_once() == 0
    service.clock.advance(days=3)
    assert await escalator.run_once() == 0
    events = await service.events("request.escalated")
    assert len(events) == 1
    data = events[0]["data"]
    assert data["application_id"] == app["id"]
    assert data["escalated_to_role"] == "centre_manager"
    assert data["overdue_seconds"] == 1
    assert data["tracking_number"] == app["tracking_number"]

    listed = await service.client.get(f"{PREFIX}/escalations", headers=bearer(People.manager))
    assert [e["application"]["id"] for e in listed.json()] == [app["id"]]
    assert (
        await service.client.get(f"{PREFIX}/escalations", headers=bearer(People.manager_alex))
    ).json() == []
    assert (await service.current(app["id"]))["staff"]["escalated"] is True


async def test_a_deadline_moved_on_and_breached_again_is_escalated_again(
    staffed: Harness,
) -> None:
    service = staffed
    service.clock.now = NEW_YEAR
    app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)  # due end of Tue 6
    app = await service.moved(People.clerk2, app, "under_review")
    app = await service.moved(People.clerk2, app, "in_processing")
    officer = OFFICERS[app["staff"]["assigned_officer_id"]]
    escalator = service.app.state.escalator
    service.clock.now = datetime(2026, 1, 7, 9, 0, tzinfo=UTC)
    assert await escalator.run_once() == 1
    app = await service.moved(officer, app, "returned_to_citizen", {"ar": "وقّع"})
    # Back on Monday 12: Thu 8, Sun 11 and Mon 12 were lost, so it is due at the end of Mon 12.
    service.clock.now = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    app = await service.moved(People.clerk2, app, "in_processing")
    assert app["due_at"] == end_of_cairo_day(2026, 1, 12)
    assert app["staff"]["escalated"] is False  # not for the deadline it has now
    assert await escalator.run_once() == 0
    service.clock.now = datetime(2026, 1, 12, 22, 0, 1, tzinfo=UTC)
    assert await escalator.run_once() == 1
    assert await escalator.run_once() == 0
    events = await service.events("request.escalated", app["id"])
    assert [e["data"]["due_at"] for e in events] == [
        "2026-01-06T22:00:00+00:00",
        "2026-01-12T22:00:00+00:00",
    ]
    assert events[1]["data"]["overdue_seconds"] == 1
    assert (await service.current(app["id"]))["staff"]["escalated"] is True
    listed = await service.client.get(f"{PREFIX}/escalations", headers=bearer(People.manager))
    assert [(e["application"]["id"], e["due_at"]) for e in listed.json()] == [
        (app["id"], "2026-01-12T22:00:00Z")
    ]


async def test_resuming_does_not_recompute_the_deadline_with_a_changed_holiday_table(
    staffed: Harness,
) -> None:
    service = staffed
    service.clock.now = NEW_YEAR
    app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    assert app["due_at"] == end_of_cairo_day(2026, 1, 6)  # Sun 4, Mon 5, Tue 6
    app = await service.moved(People.clerk2, app, "under_review")
    app = await service.moved(People.clerk2, app, "in_processing")
    officer = OFFICERS[app["staff"]["assigned_officer_id"]]
    service.clock.now = datetime(2026, 1, 4, 9, 0, tzinfo=UTC)  # Sunday
    app = await service.moved(officer, app, "returned_to_citizen", {"en": "Sign the form"})
    # Monday 5 is declared a holiday while the application waits with the citizen.
    declared = await service.client.put(
        f"{PREFIX}/holidays/2026-01-05",
        json={"name": {"en": "Announced holiday"}},
        headers=bearer(People.admin),
    )
    assert declared.status_code == 204
    service.clock.now = datetime(2026, 1, 8, 9, 0, tzinfo=UTC)  # Thursday
    app = await service.moved(People.clerk2, app, "in_processing")
    # Lost: Tue 6 and Thu 8 (Mon 5 and Wed 7 are holidays now). The deadline set, the end of
    # Tue 6, moves on by those two days (Thu 8, Sun 11); it is not recounted from the filing
    # with Monday off (which would give the end of Mon 12).
    assert app["staff"]["paused_working_days"] == 2
    assert app["due_at"] == end_of_cairo_day(2026, 1, 11)


async def test_the_watch_runs_in_the_background_and_stops(
    database_url: str, tmp_path: Path
) -> None:
    clock = FakeClock(NEW_YEAR)
    async with start(
        database_url,
        tmp_path,
        clock=clock,
        escalation_enabled=True,
        escalation_interval_seconds=0.05,
    ) as service:
        app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
        clock.now = datetime(2026, 1, 10, tzinfo=UTC)

        async def escalated() -> bool:
            return len(await service.events("request.escalated")) > 0

        await until(escalated, what="the background watch escalates")
        assert [e["subject"] for e in await service.events("request.escalated")] == [app["id"]]
        escalator = service.app.state.escalator
    assert not escalator.ticker.running  # stopped with the app
