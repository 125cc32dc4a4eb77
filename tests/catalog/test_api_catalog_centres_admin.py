"""Opening centres and replacing a mobile centre's schedule through the API, and the demo
top-up that keeps a long-running demo's vehicles scheduled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import func, select

from catalog_service.domain.centres import WORKING_DAYS
from catalog_service.inputs import today
from catalog_service.models import CentreRow, MobileStopRow
from mahaliyat.auth import TokenVerifier
from tests.catalog.bodies import API
from tests.catalog.conftest import Catalogue, running, settings_for
from tests.support.waiting import eventually


def centre_body(code: str, kind: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "kind": kind,
        "name": {"ar": "المركز التكنولوجي بالعجوزة (فرع ٩)", "en": "Agouza Technology Centre 9"},
        "address": {"ar": "شارع النيل، العجوزة", "en": "Nile Street, Agouza"},
        "phone": "02 3345 6789",
        "hours": [{"weekday": day, "opens": "09:00", "closes": "15:00"} for day in (7, 1, 2, 3, 4)],
    }
    body.update(overrides)
    return body


def stop(on: date, subdivision: str = "21-04", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "on": on.isoformat(),
        "opens": "09:00",
        "closes": "14:00",
        "subdivision": subdivision,
        "place": {"ar": "أمام مركز شباب الدقي", "en": "Outside Dokki youth centre"},
    }
    body.update(overrides)
    return body


async def test_a_governorate_admin_opens_a_centre_once(catalogue: Catalogue) -> None:
    body = centre_body("٢١-٠٣-f09", "fixed")  # as typed: Arabic-Indic digits, lower case
    headers = {**catalogue.auth("21"), "Idempotency-Key": "open-agouza-9"}
    opened = await catalogue.client.post(f"{API}/centres", json=body, headers=headers)
    assert opened.status_code == 201, opened.text
    centre = opened.json()
    assert opened.headers["location"] == f"{API}/centres/21-03-F09"
    assert (centre["code"], centre["governorate"], centre["subdivision"]) == (
        "21-03-F09",
        "21",
        "21-03",
    )
    assert centre["phone"] == "+20233456789"

    retry = await catalogue.client.post(f"{API}/centres", json=body, headers=headers)
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == centre
    again = await catalogue.client.post(f"{API}/centres", json=body, headers=catalogue.auth("21"))
    assert again.status_code == 409
    assert again.json()["code"] == "centre_exists"

    [event] = await catalogue.events("catalog.centre.created")
    assert event.subject == "21-03-F09"
    assert event.data == centre
    assert await catalogue.events("catalog.centre.updated") == []

    read = await catalogue.client.get(f"{API}/centres/21-03-F09")
    assert read.status_code == 200
    assert read.json() == centre
    listed = (await catalogue.client.get(f"{API}/centres", params={"subdivision": "21-03"})).json()
    assert "21-03-F09" in [c["code"] for c in listed["items"]]
    page = await catalogue.client.get("/c/21-03-F09")
    assert page.status_code == 200
    assert "المركز التكنولوجي بالعجوزة" in page.text


@pytest.mark.parametrize(
    ("jurisdiction", "code", "status"),
    [
        ("02", "21-03-F09", 404),  # another governorate: not revealed
        ("21-03", "21-M09", 404),  # a markaz admin cannot open a governorate-level centre
        ("21-03", "21-04-F09", 404),  # nor one in the next district
        ("21-03", "21-03-F09", 201),  # but may in its own district
    ],
)
async def test_opening_a_centre_is_scoped_to_the_jurisdiction(
    catalogue: Catalogue, jurisdiction: str, code: str, status: int
) -> None:
    kind = "mobile" if "-M" in code else "fixed"
    response = await catalogue.client.post(
        f"{API}/centres", json=centre_body(code, kind), headers=catalogue.auth(jurisdiction)
    )
    assert response.status_code == status, response.text
    assert len(await catalogue.events("catalog.centre.created")) == (status == 201)


@pytest.mark.parametrize(
    ("code", "kind", "error"),
    [
        ("21-03-F09", "mobile", "centre.code_not_of_kind"),
        ("21-F09", "fixed", "centre.code_needs_subdivision"),
        ("21-03-M09", "mobile", "centre.code_governorate_level"),
        ("99-M01", "mobile", "unknown_governorate"),
        ("21-77-F01", "fixed", "unknown_subdivision"),
        ("21-03", "fixed", "invalid_centre"),
    ],
)
async def test_the_code_must_fit_the_kind_and_the_map(
    catalogue: Catalogue, code: str, kind: str, error: str
) -> None:
    response = await catalogue.client.post(
        f"{API}/centres", json=centre_body(code, kind), headers=catalogue.auth()
    )
    assert response.status_code == 422, response.text
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("code", error)]


async def test_field_errors_of_a_new_centre_come_together(catalogue: Catalogue) -> None:
    centres = await catalogue.count(CentreRow)
    body = centre_body(
        "21-03-F09",
        "fixed",
        phone="call me",
        hours=[{"weekday": 7, "opens": "15:00", "closes": "09:00"}],
        vehicle_plate="أ ب ج 123",
    )
    response = await catalogue.client.post(f"{API}/centres", json=body, headers=catalogue.auth())
    assert response.status_code == 422, response.text
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("phone", "invalid_phone"),
        ("hours.0.closes", "closes_before_opening"),
        ("vehicle_plate", "only_mobile_centres"),
    ]
    assert await catalogue.count(CentreRow) == centres
    assert await catalogue.events() == []


async def schedule_of(catalogue: Catalogue, code: str, start: date, days: int) -> dict[date, Any]:
    response = await catalogue.client.get(
        f"{API}/centres/{code}/schedule", params={"from": start.isoformat(), "days": days}
    )
    assert response.status_code == 200, response.text
    return {date.fromisoformat(s["on"]): s for s in response.json()["items"]}


async def test_a_mobile_centres_schedule_is_replaced_for_a_range(catalogue: Catalogue) -> None:
    start = today() + timedelta(days=1)
    before = await schedule_of(catalogue, "21-M01", start, 14)
    other_vehicle = await schedule_of(catalogue, "21-M02", start, 14)
    assert before  # the demo's stops
    body = {
        "from": start.isoformat(),
        "to": (start + timedelta(days=7)).isoformat(),
        "stops": [
            stop(start + timedelta(days=1), "21-04"),
            stop(start, "21-10", opens="٠٨:٣٠", closes="13:00"),
        ],
    }
    replaced = await catalogue.client.put(
        f"{API}/centres/21-M01/schedule", json=body, headers=catalogue.auth("21")
    )
    assert replaced.status_code == 200, replaced.text
    answer = replaced.json()
    assert (answer["from"], answer["to"]) == (body["from"], body["to"])
    assert [(s["on"], s["subdivision"]["code"], s["opens"]) for s in answer["items"]] == [
        (start.isoformat(), "21-10", "08:30"),
        ((start + timedelta(days=1)).isoformat(), "21-04", "09:00"),
    ]

    after = await schedule_of(catalogue, "21-M01", start, 14)  # the cached answer refreshed
    assert [day for day in after if day < start + timedelta(days=7)] == [
        start,
        start + timedelta(days=1),
    ]
    assert after[start + timedelta(days=1)]["place"]["ar"] == "أمام مركز شباب الدقي"
    # The days after the range, and the other vehicle, keep their stops.
    assert {d: s for d, s in after.items() if d >= start + timedelta(days=7)} == {
        d: s for d, s in before.items() if d >= start + timedelta(days=7)
    }
    assert await schedule_of(catalogue, "21-M02", start, 14) == other_vehicle
    places = await catalogue.client.get(
        f"{API}/mobile-stops",
        params={"subdivision": "21-10", "from": start.isoformat(), "days": 1},
    )
    assert "21-M01" in [s["centre"]["code"] for s in places.json()["items"]]

    [event] = await catalogue.events("catalog.centre.schedule_changed")
    assert event.subject == "21-M01"
    assert event.data == {"centre": "21-M01", **answer}
    same = await catalogue.client.put(
        f"{API}/centres/21-M01/schedule", json=body, headers=catalogue.auth("21")
    )
    assert same.status_code == 200
    assert same.json() == answer
    assert len(await catalogue.events("catalog.centre.schedule_changed")) == 1  # nothing changed


async def test_a_bad_schedule_is_422_naming_every_stop_and_writes_nothing(
    catalogue: Catalogue,
) -> None:
    start = today() + timedelta(days=1)
    body = {
        "from": start.isoformat(),
        "to": (start + timedelta(days=5)).isoformat(),
        "stops": [
            stop(start, "01-01"),  # a Cairo district for a Giza vehicle
            stop(start + timedelta(days=1), opens="05:00"),
            stop(start + timedelta(days=1)),  # a second stop the same day
            stop(start + timedelta(days=2), opens="15:00", closes="10:00"),
            stop(start + timedelta(days=9)),  # outside the range
            stop(start + timedelta(days=3), "21-99"),
        ],
    }
    before = await schedule_of(catalogue, "21-M01", start, 5)
    response = await catalogue.client.put(
        f"{API}/centres/21-M01/schedule", json=body, headers=catalogue.auth("21")
    )
    assert response.status_code == 422, response.text
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("stops.0.subdivision", "schedule.outside_governorate"),
        ("stops.1.opens", "schedule.outside_service_hours"),
        ("stops.2.on", "schedule.stops_overlap"),
        ("stops.3.closes", "closes_before_opening"),
        ("stops.4.on", "schedule.outside_range"),
        ("stops.5.subdivision", "unknown_subdivision"),
    ]
    assert await schedule_of(catalogue, "21-M01", start, 5) == before
    assert await catalogue.events() == []


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"from": "2020-01-01"},
            [("from", "schedule.starts_in_past"), ("to", "schedule.range_too_long")],
        ),
        ({"to": "yesterday"}, [("to", "invalid_date")]),
        ({"to": "2020-01-01"}, [("to", "schedule.range_empty")]),
        ({"to": "2099-01-01"}, [("to", "schedule.range_too_long")]),
        ({"from": " ", "to": "x"}, [("to", "invalid_date"), ("from", "required")]),
    ],
)
async def test_a_bad_range_is_422(
    catalogue: Catalogue, change: dict[str, str], errors: list[tuple[str, str]]
) -> None:
    start = today() + timedelta(days=1)
    body = {"from": start.isoformat(), "to": (start + timedelta(days=5)).isoformat(), "stops": []}
    response = await catalogue.client.put(
        f"{API}/centres/21-M01/schedule", json={**body, **change}, headers=catalogue.auth()
    )
    assert response.status_code == 422, response.text
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == errors


@pytest.mark.parametrize(
    ("code", "jurisdiction", "status", "problem"),
    [
        ("21-M01", "02", 404, "not_found"),  # another governorate's vehicle
        ("21-03-F01", "21", 404, "not_a_mobile_centre"),
        ("21-M77", "EG", 404, "centre_not_found"),
    ],
)
async def test_only_a_mobile_centre_in_the_jurisdiction_is_scheduled(
    catalogue: Catalogue, code: str, jurisdiction: str, status: int, problem: str
) -> None:
    start = today() + timedelta(days=1)
    body = {"from": start.isoformat(), "to": (start + timedelta(days=2)).isoformat(), "stops": []}
    response = await catalogue.client.put(
        f"{API}/centres/{code}/schedule", json=body, headers=catalogue.auth(jurisdiction)
    )
    assert response.status_code == status, response.text
    assert response.json()["code"] == problem
    assert await catalogue.events() == []


class MovableCalendar:
    """The demo's ``today``, moved by the test instead of waiting for real days."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
async def demo(
    database_url: str,
    tmp_path: Path,
    verifier: TokenVerifier,
    signing_key: ed25519.Ed25519PrivateKey,
) -> AsyncIterator[tuple[Catalogue, MovableCalendar]]:
    calendar = MovableCalendar(today())
    settings = settings_for(database_url, tmp_path, mobile_schedule_check_seconds=3600)
    async for service in running(settings, verifier, signing_key, today=calendar):
        yield service, calendar


async def last_stop(catalogue: Catalogue, code: str) -> date | None:
    async with catalogue.database.read() as session:
        day: date | None = await session.scalar(
            select(func.max(MobileStopRow.day)).where(MobileStopRow.centre_code == code)
        )
        return day


async def test_a_long_running_demo_never_runs_out_of_stops(
    demo: tuple[Catalogue, MovableCalendar],
) -> None:
    catalogue, calendar = demo
    planner = catalogue.app.state.adapters.demo_stops
    start = calendar.day
    first = await last_stop(catalogue, "21-M01")
    assert first is not None
    assert first < start + timedelta(days=14)

    # An admin leaves a day inside the planned fortnight without a stop: the top-up keeps it so.
    empty_day = min(d for d in await schedule_of(catalogue, "21-M01", start, 14) if d > start)
    response = await catalogue.client.put(
        f"{API}/centres/21-M01/schedule",
        json={
            "from": empty_day.isoformat(),
            "to": (empty_day + timedelta(days=1)).isoformat(),
            "stops": [],
        },
        headers=catalogue.auth("21"),
    )
    assert response.status_code == 200, response.text

    calendar.day = start + timedelta(days=20)  # three weeks on, the start-up fortnight is over
    runs = planner.runs
    planner.wake()
    await eventually(lambda: planner.runs > runs, what="the demo top-up ran")
    last = await last_stop(catalogue, "21-M01")
    assert last is not None
    assert last >= calendar.day + timedelta(days=10)  # the next fortnight's working days
    ahead = await schedule_of(catalogue, "21-M01", calendar.day, 14)
    working = [
        calendar.day + timedelta(days=n)
        for n in range(14)
        if (calendar.day + timedelta(days=n)).isoweekday() in WORKING_DAYS
    ]
    assert sorted(ahead) == working
    assert empty_day not in await schedule_of(catalogue, "21-M01", start, 14)

    runs = planner.runs
    planner.wake()  # the same day again: nothing more to plan
    await eventually(lambda: planner.runs > runs, what="the demo top-up ran again")
    assert await last_stop(catalogue, "21-M01") == last
