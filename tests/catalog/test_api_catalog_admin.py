"""Admin writes: scope (national vs governorate admins), events through the outbox once per
change, idempotent creation, overlapping fee periods refused, nothing half-written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from catalog_service.inputs import today
from catalog_service.models import FeeScheduleRow, ServiceRow
from tests.catalog.bodies import API, definition, fee_body, new_service_body
from tests.catalog.conftest import Catalogue


async def test_publishing_a_service_is_idempotent_and_publishes_one_event(
    catalogue: Catalogue,
) -> None:
    body = await new_service_body(catalogue)
    headers = {**catalogue.auth("EG"), "Idempotency-Key": "publish-lift-permit-1"}
    first = await catalogue.client.post(f"{API}/services", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert first.headers["location"] == f"{API}/services/BLD-090"
    assert first.json()["name"]["en"] == "Lift installation permit"
    assert first.json()["fees"]["source"] == "none"

    retry = await catalogue.client.post(f"{API}/services", json=body, headers=headers)
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()

    events = await catalogue.events("catalog.service.published")
    assert len(events) == 1
    assert events[0].subject == "BLD-090"
    assert events[0].source == "/catalog"
    assert events[0].data == first.json()  # the contract object

    listed = (
        await catalogue.client.get(f"{API}/services", params={"category": "BLD", "limit": 200})
    ).json()
    assert "BLD-090" in [s["code"] for s in listed["items"]]
    found = (await catalogue.client.get(f"{API}/search", params={"q": "تركيب مصعد"})).json()
    assert "BLD-090" in [hit["code"] for hit in found["items"]]

    reused = await catalogue.client.post(
        f"{API}/services", json={**body, "sla_days": 3}, headers=headers
    )
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"

    again = await catalogue.client.post(f"{API}/services", json=body, headers=catalogue.auth("EG"))
    assert again.status_code == 409
    assert again.json()["code"] == "service_exists"
    assert len(await catalogue.events("catalog.service.published")) == 1


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"online": False}, "online", "online_mismatch"),
        (
            {"channels": ["centre", "mobile_centre", "portal", "app"]},
            "channels",
            "mobile_channel_mismatch",
        ),
        ({"category": "NOPE"}, "category", "unknown_category"),
        ({"sla_days": 0}, "sla_days", "greater_than_equal"),
        ({"code": "lift"}, "code", "string_pattern_mismatch"),
        ({"steps": []}, "steps", "too_short"),
    ],
)
async def test_an_inconsistent_definition_is_422_naming_the_field_and_writes_nothing(
    catalogue: Catalogue, change: dict[str, Any], field: str, code: str
) -> None:
    body = {**(await new_service_body(catalogue)), **change}
    services = await catalogue.count(ServiceRow)
    response = await catalogue.client.post(f"{API}/services", json=body, headers=catalogue.auth())
    assert response.status_code == 422, response.text
    assert (field, code) in [(e["field"], e["code"]) for e in response.json()["errors"]]
    assert await catalogue.count(ServiceRow) == services
    assert await catalogue.events() == []


async def test_only_a_national_admin_changes_services(catalogue: Catalogue) -> None:
    body = await new_service_body(catalogue)
    anonymous = await catalogue.client.post(f"{API}/services", json=body)
    assert anonymous.status_code == 401
    clerk = await catalogue.client.post(
        f"{API}/services", json=body, headers=catalogue.auth("EG", role="front_office")
    )
    assert clerk.status_code == 403
    giza = await catalogue.client.post(f"{API}/services", json=body, headers=catalogue.auth("21"))
    assert giza.status_code == 403
    assert giza.json()["code"] == "national_scope_required"
    retire = await catalogue.client.post(
        f"{API}/services/BLD-004/retire", headers=catalogue.auth("21")
    )
    assert retire.status_code == 403
    assert await catalogue.events() == []


async def test_updating_and_retiring_a_service(catalogue: Catalogue) -> None:
    detail = (await catalogue.client.get(f"{API}/services/BLD-004")).json()
    body = {**definition(detail), "sla_days": detail["sla_days"] + 5}
    updated = await catalogue.client.put(
        f"{API}/services/BLD-004", json=body, headers=catalogue.auth()
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["sla_days"] == detail["sla_days"] + 5
    unchanged = await catalogue.client.put(
        f"{API}/services/BLD-004", json=body, headers=catalogue.auth()
    )
    assert unchanged.status_code == 200
    [event] = await catalogue.events("catalog.service.updated")  # no event for no change
    assert event.data["sla_days"] == detail["sla_days"] + 5

    retired = await catalogue.client.post(
        f"{API}/services/BLD-004/retire", headers=catalogue.auth()
    )
    assert retired.status_code == 200
    assert retired.json()["active"] is False
    again = await catalogue.client.post(f"{API}/services/BLD-004/retire", headers=catalogue.auth())
    assert again.status_code == 200
    [event] = await catalogue.events("catalog.service.retired")
    assert event.data["code"] == "BLD-004"
    assert event.data["active"] is False

    read = (await catalogue.client.get(f"{API}/services/BLD-004")).json()
    assert read["active"] is False  # still readable, for applications already filed
    listed = (await catalogue.client.get(f"{API}/services", params={"limit": 200})).json()
    assert "BLD-004" not in [s["code"] for s in listed["items"]]
    hits = (await catalogue.client.get(f"{API}/search", params={"q": "BLD-004"})).json()
    assert hits["items"] == []
    centre = (
        await catalogue.client.get(f"{API}/services", params={"centre": "21-03-F01", "limit": 200})
    ).json()
    assert "BLD-004" not in [s["code"] for s in centre["items"]]


async def test_a_governorate_admin_adds_its_own_fee_override(catalogue: Catalogue) -> None:
    starts = today() + timedelta(days=30)
    response = await catalogue.client.post(
        f"{API}/services/BLD-003/fee-schedules",
        json=fee_body("21", starts),
        headers={**catalogue.auth("21"), "Idempotency-Key": "giza-bld-003"},
    )
    assert response.status_code == 201, response.text
    schedule = response.json()
    assert (schedule["governorate"], schedule["effective_from"]) == ("21", starts.isoformat())
    assert response.headers["location"].endswith(schedule["id"])

    [event] = await catalogue.events("catalog.fee.changed")
    assert event.subject == "BLD-003"
    assert event.data["change"] == "added"
    assert event.data["governorate"] == "21"
    assert event.data["items"] == schedule["items"]

    fees = (
        await catalogue.client.get(
            f"{API}/services/BLD-003", params={"governorate": "21", "on": starts.isoformat()}
        )
    ).json()["fees"]
    assert (fees["source"], fees["effective_from"]) == ("governorate", starts.isoformat())
    before = (
        await catalogue.client.get(
            f"{API}/services/BLD-003",
            params={"governorate": "21", "on": (starts - timedelta(days=1)).isoformat()},
        )
    ).json()["fees"]
    assert before["source"] != "governorate" or before["effective_from"] != starts.isoformat()
    quote = await catalogue.client.post(
        f"{API}/services/BLD-003/quote",
        json={"governorate": "21", "on": starts.isoformat(), "inputs": {"built_area": 100}},
    )
    assert quote.json()["total_piasters"] == 130000 + 100 * 500


@pytest.mark.parametrize(
    ("jurisdiction", "governorate", "status"),
    [
        ("21", "02", 404),  # another governorate: outside the jurisdiction, not revealed
        ("21", None, 403),  # the national default
        ("21-03", "21", 404),  # a markaz admin cannot set the governorate's fees
    ],
)
async def test_fee_scope_is_enforced(
    catalogue: Catalogue, jurisdiction: str, governorate: str | None, status: int
) -> None:
    response = await catalogue.client.post(
        f"{API}/services/BLD-003/fee-schedules",
        json=fee_body(governorate, today() + timedelta(days=30)),
        headers=catalogue.auth(jurisdiction),
    )
    assert response.status_code == status, response.text
    assert await catalogue.events() == []


async def test_overlapping_periods_are_refused_and_nothing_is_written(
    catalogue: Catalogue,
) -> None:
    starts = today() + timedelta(days=10)
    first = await catalogue.client.post(
        f"{API}/services/ROD-001/fee-schedules",
        json={**fee_body("02", starts), "items": []},
        headers=catalogue.auth("02"),
    )
    # Alexandria's seeded override is open-ended: the new period overlaps it.
    assert first.status_code == 409, first.text
    problem = first.json()
    assert problem["code"] == "fee_period_overlap"
    assert problem["conflicting_schedule"]["effective_to"] is None
    schedules = await catalogue.count(FeeScheduleRow)

    # Close the current period, then the next one fits; a second identical one overlaps.
    history = (
        await catalogue.client.get(
            f"{API}/services/ROD-001/fee-schedules", params={"governorate": "02"}
        )
    ).json()["items"]
    current = next(s for s in history if s["governorate"] == "02" and s["effective_to"] is None)
    closed = await catalogue.client.post(
        f"{API}/services/ROD-001/fee-schedules/{current['id']}/close",
        json={"effective_to": starts.isoformat()},
        headers=catalogue.auth("02"),
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["effective_to"] == starts.isoformat()
    added = await catalogue.client.post(
        f"{API}/services/ROD-001/fee-schedules",
        json={**fee_body("02", starts), "items": []},
        headers=catalogue.auth("02"),
    )
    assert added.status_code == 201, added.text
    clash = await catalogue.client.post(
        f"{API}/services/ROD-001/fee-schedules",
        json={**fee_body("02", starts + timedelta(days=5)), "items": []},
        headers=catalogue.auth("02"),
    )
    assert clash.status_code == 409
    assert clash.json()["conflicting_schedule"]["id"] == added.json()["id"]

    assert await catalogue.count(FeeScheduleRow) == schedules + 1
    changes = [e.data["change"] for e in await catalogue.events("catalog.fee.changed")]
    assert changes == ["closed", "added"]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (
            {"minimum_piasters": 90000, "maximum_piasters": 100},
            "items.1.minimum_piasters",
            "fee.minimum_above_maximum",
        ),
        ({"amount_piasters": 100}, "items.1.amount_piasters", "fee.rated_takes_rate"),
        ({"inputs": []}, "items.1.inputs", "fee.inputs_missing"),
        ({"inputs": ["shop_area"]}, "items.1.inputs", "fee.input_not_a_number_field"),
        ({"rate_piasters": -5}, "items.1.rate_piasters", "fee.negative"),
        ({"rule": "per_kg"}, "items.1.rule", "enum"),
    ],
)
async def test_an_invalid_fee_rule_is_422_naming_the_field(
    catalogue: Catalogue, change: dict[str, Any], field: str, code: str
) -> None:
    body = fee_body(None, today() + timedelta(days=30))
    body["items"][1].update(change)
    response = await catalogue.client.post(
        f"{API}/services/BLD-003/fee-schedules", json=body, headers=catalogue.auth()
    )
    assert response.status_code == 422, response.text
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]
    assert await catalogue.events() == []


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"effective_from": "2020-01-01"}, "effective_from", "fee.starts_in_past"),
        ({"effective_from": "tomorrow"}, "effective_from", "invalid_date"),
        ({"governorate": "99"}, "governorate", "unknown_governorate"),
    ],
)
async def test_invalid_periods_are_422(
    catalogue: Catalogue, change: dict[str, Any], field: str, code: str
) -> None:
    body = {**fee_body(None, today() + timedelta(days=30)), **change}
    response = await catalogue.client.post(
        f"{API}/services/BLD-003/fee-schedules", json=body, headers=catalogue.auth()
    )
    assert response.status_code == 422, response.text
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


async def test_a_period_ending_before_it_starts_is_refused(catalogue: Catalogue) -> None:
    starts = today() + timedelta(days=30)
    body = fee_body(None, starts, effective_to=starts.isoformat())
    response = await catalogue.client.post(
        f"{API}/services/BLD-003/fee-schedules", json=body, headers=catalogue.auth()
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["effective_to"]


async def test_centres_are_changed_within_the_jurisdiction_only(catalogue: Catalogue) -> None:
    change = {"name": {"ar": "مركز الدقي التكنولوجي", "en": "Dokki Technology Centre"}}
    giza = await catalogue.client.patch(
        f"{API}/centres/21-03-F01", json=change, headers=catalogue.auth("21")
    )
    assert giza.status_code == 200, giza.text
    assert giza.json()["name"] == change["name"]
    [event] = await catalogue.events("catalog.centre.updated")
    assert event.subject == "21-03-F01"
    assert event.data["name"] == change["name"]
    assert event.data["jurisdiction"] == "21-03"
    assert event.data["kind"] == "fixed"

    cairo = await catalogue.client.patch(
        f"{API}/centres/01-01-F01", json=change, headers=catalogue.auth("21")
    )
    assert cairo.status_code == 404
    bad = await catalogue.client.patch(
        f"{API}/centres/21-03-F01",
        json={"hours": [{"weekday": 7, "opens": "15:00", "closes": "09:00"}]},
        headers=catalogue.auth("21"),
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["hours.0.closes"]
    plate = await catalogue.client.patch(
        f"{API}/centres/21-03-F01", json={"vehicle_plate": "أ ب ج 123"}, headers=catalogue.auth()
    )
    assert plate.status_code == 422
    assert len(await catalogue.events("catalog.centre.updated")) == 1


async def test_a_form_field_the_fees_multiply_cannot_be_removed(catalogue: Catalogue) -> None:
    detail = (await catalogue.client.get(f"{API}/services/BLD-002")).json()
    body = definition(detail)
    without = [f for f in body["fields"] if f["name"] != "built_area"]
    removed = await catalogue.client.put(
        f"{API}/services/BLD-002", json={**body, "fields": without}, headers=catalogue.auth()
    )
    assert removed.status_code == 422, removed.text
    assert [(e["field"], e["code"]) for e in removed.json()["errors"]] == [
        ("fields.built_area", "fee.input_field_removed")
    ]

    index = next(i for i, f in enumerate(body["fields"]) if f["name"] == "built_area")
    retyped = [dict(f) for f in body["fields"]]
    retyped[index] = {**retyped[index], "kind": "text"}
    for bound in ("min_value", "max_value"):
        retyped[index].pop(bound, None)
    as_text = await catalogue.client.put(
        f"{API}/services/BLD-002", json={**body, "fields": retyped}, headers=catalogue.auth()
    )
    assert as_text.status_code == 422, as_text.text
    assert [(e["field"], e["code"]) for e in as_text.json()["errors"]] == [
        (f"fields.{index}.kind", "fee.input_field_not_a_number")
    ]
    assert await catalogue.events() == []
    quote = await catalogue.client.post(
        f"{API}/services/BLD-002/quote", json={"inputs": {"built_area": 100}}
    )
    assert quote.status_code == 200  # the form and the fees still agree

    # A field no fee rule reads may go.
    optional = [f for f in body["fields"] if f["name"] != "plot_number"]
    fine = await catalogue.client.put(
        f"{API}/services/BLD-002", json={**body, "fields": optional}, headers=catalogue.auth()
    )
    assert fine.status_code == 200, fine.text


async def test_a_future_override_needs_its_field_too(catalogue: Catalogue) -> None:
    """Only Giza's override from next month multiplies the number of floors: while it stands,
    the field stays; once it is withdrawn, the field may go."""
    starts = today() + timedelta(days=60)
    per_floor = {
        "code": "floors",
        "name": {"ar": "رسم عن كل دور", "en": "Per-floor fee"},
        "rule": "per_unit",
        "rate_piasters": 10000,
        "inputs": ["floors_count"],
    }
    added = await catalogue.client.post(
        f"{API}/services/BLD-003/fee-schedules",
        json={**fee_body("21", starts), "items": [per_floor]},
        headers=catalogue.auth("21"),
    )
    assert added.status_code == 201, added.text
    body = definition((await catalogue.client.get(f"{API}/services/BLD-003")).json())
    without = {**body, "fields": [f for f in body["fields"] if f["name"] != "floors_count"]}

    refused = await catalogue.client.put(
        f"{API}/services/BLD-003", json=without, headers=catalogue.auth()
    )
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("fields.floors_count", "fee.input_field_removed")
    ]
    withdrawn = await catalogue.client.post(
        f"{API}/services/BLD-003/fee-schedules/{added.json()['id']}/withdraw",
        headers=catalogue.auth("21"),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    accepted = await catalogue.client.put(
        f"{API}/services/BLD-003", json=without, headers=catalogue.auth()
    )
    assert accepted.status_code == 200, accepted.text


async def test_a_future_schedule_is_withdrawn_before_it_starts(catalogue: Catalogue) -> None:
    starts = today() + timedelta(days=30)
    added = await catalogue.client.post(
        f"{API}/services/BLD-003/fee-schedules",
        json=fee_body("21", starts),
        headers=catalogue.auth("21"),
    )
    assert added.status_code == 201, added.text
    schedule = added.json()
    url = f"{API}/services/BLD-003/fee-schedules/{schedule['id']}"

    withdrawn = await catalogue.client.post(f"{url}/withdraw", headers=catalogue.auth("21"))
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["withdrawn_at"] is not None
    assert withdrawn.json()["effective_from"] == starts.isoformat()
    again = await catalogue.client.post(f"{url}/withdraw", headers=catalogue.auth("21"))
    assert again.status_code == 200
    assert again.json() == withdrawn.json()
    changes = [e.data["change"] for e in await catalogue.events("catalog.fee.changed")]
    assert changes == ["added", "withdrawn"]  # once, however often it is asked

    history = (
        await catalogue.client.get(
            f"{API}/services/BLD-003/fee-schedules", params={"governorate": "21"}
        )
    ).json()["items"]
    assert schedule["id"] not in [s["id"] for s in history]
    fees = (
        await catalogue.client.get(
            f"{API}/services/BLD-003", params={"governorate": "21", "on": starts.isoformat()}
        )
    ).json()["fees"]
    assert fees["source"] == "national"  # the override never applies
    closed = await catalogue.client.post(
        f"{url}/close",
        json={"effective_to": (starts + timedelta(days=5)).isoformat()},
        headers=catalogue.auth("21"),
    )
    assert closed.status_code == 409
    assert closed.json()["code"] == "fee_schedule_withdrawn"
    # The period is free again: the database's overlap rule ignores withdrawn schedules too.
    replacement = await catalogue.client.post(
        f"{API}/services/BLD-003/fee-schedules",
        json=fee_body("21", starts),
        headers=catalogue.auth("21"),
    )
    assert replacement.status_code == 201, replacement.text


async def test_a_schedule_in_effect_cannot_be_withdrawn(catalogue: Catalogue) -> None:
    history = (
        await catalogue.client.get(
            f"{API}/services/ROD-001/fee-schedules", params={"governorate": "02"}
        )
    ).json()["items"]
    current = next(s for s in history if s["governorate"] == "02" and s["effective_to"] is None)
    response = await catalogue.client.post(
        f"{API}/services/ROD-001/fee-schedules/{current['id']}/withdraw",
        headers=catalogue.auth("02"),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "fee_schedule_started"
    assert await catalogue.events() == []


@pytest.mark.parametrize(
    ("owner", "jurisdiction", "status"),
    [
        ("02", "21", 404),  # another governorate's override: not revealed
        (None, "21", 403),  # the national default
        ("21", "21", 200),
    ],
)
@pytest.mark.parametrize("action", ["close", "withdraw"])
async def test_closing_and_withdrawing_follow_the_admins_scope(
    catalogue: Catalogue, owner: str | None, jurisdiction: str, status: int, action: str
) -> None:
    starts = today() + timedelta(days=30)
    if owner is None:  # the national default in effect
        history = (await catalogue.client.get(f"{API}/services/BLD-003/fee-schedules")).json()
        schedule = next(
            s for s in history["items"] if s["governorate"] is None and s["effective_to"] is None
        )
    else:
        added = await catalogue.client.post(
            f"{API}/services/BLD-003/fee-schedules",
            json=fee_body(owner, starts),
            headers=catalogue.auth(owner),
        )
        assert added.status_code == 201, added.text
        schedule = added.json()
    url = f"{API}/services/BLD-003/fee-schedules/{schedule['id']}/{action}"
    body = {"effective_to": (starts + timedelta(days=10)).isoformat()}
    response = await catalogue.client.post(
        url, json=body if action == "close" else None, headers=catalogue.auth(jurisdiction)
    )
    assert response.status_code == status, response.text
    changes = [e.data["change"] for e in await catalogue.events("catalog.fee.changed")]
    expected = {"close": "closed", "withdraw": "withdrawn"}[action]
    assert changes.count(expected) == (status == 200)


async def test_every_bad_fee_item_is_named_at_once(catalogue: Catalogue) -> None:
    starts = today() + timedelta(days=30)
    body = fee_body(None, starts, effective_to=(starts - timedelta(days=3)).isoformat())
    body["items"][1]["rate_piasters"] = -5
    body["items"].append(
        {
            "code": "stamp",
            "name": {"ar": "دمغة", "en": "Stamp duty"},
            "rule": "per_unit",
            "rate_piasters": 10,
            "inputs": ["storeys"],  # not a field of the form
        }
    )
    response = await catalogue.client.post(
        f"{API}/services/BLD-003/fee-schedules", json=body, headers=catalogue.auth()
    )
    assert response.status_code == 422, response.text
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("effective_to", "fee.period_empty"),
        ("items.1.rate_piasters", "fee.negative"),
        ("items.2.inputs", "fee.input_not_a_number_field"),
    ]
    assert await catalogue.events() == []
