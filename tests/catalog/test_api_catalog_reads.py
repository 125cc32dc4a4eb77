"""The public read API: geography, centres, mobile stops, services, fees, quotes, categories."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from catalog_service.domain.catalogue import offered_at
from catalog_service.domain.centres import CentreKind
from catalog_service.seed import load_centres, load_services
from tests.catalog.conftest import PUBLIC_BASE_URL, Catalogue

API = "/api/v1/catalog"


async def get(catalogue: Catalogue, path: str, **params: Any) -> Any:
    response = await catalogue.client.get(API + path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_governorates_and_their_subdivisions(catalogue: Catalogue) -> None:
    governorates = await get(catalogue, "/governorates")
    assert len(governorates) == 27
    giza = next(g for g in governorates if g["code"] == "21")
    assert giza["name"] == {"ar": "الجيزة", "en": "Giza"}
    subdivisions = await get(catalogue, "/governorates/21/subdivisions")
    assert len(subdivisions) == giza["subdivisions"] > 5
    assert all(s["code"].startswith("21-") and s["governorate"] == "21" for s in subdivisions)
    assert any(s["label"]["ar"] == "حي الدقي" for s in subdivisions)
    assert (await get(catalogue, "/governorates/٢١"))["code"] == "21"  # Arabic-Indic digits


async def test_centre_filters(catalogue: Catalogue) -> None:
    page = await get(catalogue, "/centres", governorate="21", kind="fixed", limit=500)
    expected = [
        c.code for c in load_centres() if c.governorate_code == "21" and c.kind.value == "fixed"
    ]
    assert [c["code"] for c in page["items"]] == expected
    assert page["total"] == len(expected)

    first = page["items"][0]["subdivision"]
    in_city = await get(catalogue, "/centres", subdivision=first)
    assert in_city["total"] >= 1
    assert {c["subdivision"] for c in in_city["items"]} == {first}

    # A service only licensing centres offer, at the counter.
    shop = next(s for s in load_services() if s.code == "SHP-001")
    offering = await get(catalogue, "/centres", service="SHP-001", limit=500)
    assert offering["total"] > 0
    assert {c["kind"] for c in offering["items"]} <= {k.value for k in shop.centre_kinds}
    assert offering["total"] < (await get(catalogue, "/centres"))["total"]


async def test_centre_in_the_contract_shape(catalogue: Catalogue) -> None:
    centre = await get(catalogue, "/centres/21-03-F01")
    assert centre["code"] == "21-03-F01"
    assert centre["kind"] == "fixed"
    assert centre["governorate"] == "21"
    assert centre["subdivision"] == "21-03"
    assert set(centre["name"]) == {"ar", "en"}
    assert set(centre["address"]) == {"ar", "en"}
    assert centre["phone"].startswith("+20")
    assert centre["active"] is True
    assert centre["page_url"] == f"{PUBLIC_BASE_URL}/c/21-03-F01"
    assert centre["qr_png_url"] == f"{PUBLIC_BASE_URL}/c/21-03-F01/qr.png"


async def test_mobile_schedule_and_which_vehicles_stop_in_a_city_this_week(
    catalogue: Catalogue,
) -> None:
    schedule = await get(catalogue, "/centres/21-M01/schedule", days=14)
    stops = schedule["items"]
    assert stops, "a vehicle works on every working day"
    days = [date.fromisoformat(s["on"]) for s in stops]
    assert days == sorted(days)
    assert all(d.isoweekday() not in (5, 6) for d in days)  # never on Friday or Saturday
    assert all(s["centre"]["code"] == "21-M01" for s in stops)

    city = stops[0]["subdivision"]["code"]
    week = await get(catalogue, "/mobile-stops", subdivision=city, **{"from": stops[0]["on"]})
    assert week["from"] == stops[0]["on"]
    assert date.fromisoformat(week["to"]) == days[0] + timedelta(days=7)
    assert any(s["centre"]["code"] == "21-M01" for s in week["items"])
    assert {s["subdivision"]["code"] for s in week["items"]} == {city}

    fixed = await catalogue.client.get(f"{API}/centres/21-03-F01/schedule")
    assert fixed.status_code == 404
    assert fixed.json()["code"] == "not_a_mobile_centre"


async def test_service_list_filters_and_pages(catalogue: Catalogue) -> None:
    everything = await get(catalogue, "/services", limit=200)
    assert everything["total"] == len(load_services()) >= 180
    online = await get(catalogue, "/services", online="true", limit=200)
    assert online["total"] == 48
    assert all(s["online"] for s in online["items"])

    shops = await get(catalogue, "/services", category="SHP", limit=200)
    assert shops["total"] > 0
    assert {s["category"]["code"] for s in shops["items"]} == {"SHP"}

    partner = await get(catalogue, "/services", channel="partner_api", limit=200)
    assert 0 < partner["total"] < everything["total"]
    assert all("partner_api" in s["channels"] for s in partner["items"])

    at_vehicle = await get(catalogue, "/services", centre="21-M01", limit=200)
    assert 100 <= at_vehicle["total"] < everything["total"]  # about 140 at mobile centres
    assert all("mobile_centre" in s["channels"] for s in at_vehicle["items"])

    first = await get(catalogue, "/services", limit=10, offset=0)
    second = await get(catalogue, "/services", limit=10, offset=10)
    assert first["total"] == second["total"] == everything["total"]
    codes = [s["code"] for s in first["items"] + second["items"]]
    assert codes == [s["code"] for s in everything["items"][:20]]


async def test_the_governorate_filter_keeps_what_its_citizens_can_use(
    catalogue: Catalogue,
) -> None:
    """Online services, and those one of the governorate's active centres offers: Red Sea
    (35) has no governorate-HQ centre, so the services offered only there are left out."""
    kinds = {c.kind for c in load_centres() if c.governorate_code == "35" and c.active}
    assert CentreKind.GOVERNORATE_HQ not in kinds
    usable = [
        s.code
        for s in load_services()
        if s.active and (s.online or any(offered_at(s, kind) for kind in kinds))
    ]
    red_sea = await get(catalogue, "/services", governorate="35", limit=200)
    assert sorted(s["code"] for s in red_sea["items"]) == sorted(usable)
    assert red_sea["total"] == len(usable) < len([s for s in load_services() if s.active])
    hq_only = "INV-003"  # offered at governorate-HQ centres only, not online
    assert hq_only not in usable
    giza = await get(catalogue, "/services", governorate="21", limit=200)
    assert hq_only in [s["code"] for s in giza["items"]]

    # Filters combine: Red Sea's online services are the online ones.
    online = await get(catalogue, "/services", governorate="35", online="true", limit=200)
    assert {s["code"] for s in online["items"]} == {
        s.code for s in load_services() if s.active and s.online
    }

    # Once Red Sea opens a governorate-HQ centre, its services are there too.
    opened = await catalogue.client.post(
        f"{API}/centres",
        json={
            "code": "35-H01",
            "kind": "governorate_hq",
            "name": {"ar": "المركز التكنولوجي بديوان عام محافظة البحر الأحمر", "en": "Red Sea HQ"},
            "address": {"ar": "الغردقة", "en": "Hurghada"},
            "phone": "065 354 6000",
            "hours": [{"weekday": 7, "opens": "08:30", "closes": "15:30"}],
        },
        headers=catalogue.auth("35"),
    )
    assert opened.status_code == 201, opened.text
    after = await get(catalogue, "/services", governorate="35", limit=200)
    assert hq_only in [s["code"] for s in after["items"]]


async def test_service_detail_in_the_contract_shape(catalogue: Catalogue) -> None:
    service = await get(catalogue, "/services/BLD-002", governorate="21", on="2026-11-24")
    contract = {
        "code", "name", "description", "category", "department", "active", "online",
        "sla_days", "channels", "centre_kinds", "steps", "documents", "fields", "fees",
    }  # fmt: skip
    assert contract <= set(service)
    assert service["code"] == "BLD-002"
    assert set(service["category"]) == {"code", "name"}
    assert service["steps"][0]["order"] == 1
    assert set(service["steps"][0]["text"]) == {"ar", "en"}
    assert set(service["documents"][0]) == {"code", "name", "required"}
    area = next(f for f in service["fields"] if f["name"] == "built_area")
    assert area["kind"] == "area_m2"
    assert {"label", "required", "min_value", "max_value", "max_length", "options"} <= set(area)
    fees = service["fees"]
    assert fees["governorate"] == "21"
    assert fees["on"] == "2026-11-24"
    assert fees["source"] == "governorate"
    assert fees["effective_from"] == "2025-07-01"
    permit = next(i for i in fees["items"] if i["code"] == "permit")
    assert permit == {
        "code": "permit",
        "name": permit["name"],
        "rule": "per_m2",
        "amount_piasters": 0,
        "rate_piasters": 450,
        "inputs": ["built_area"],
        "minimum_piasters": 30000,
        "maximum_piasters": 7000000,
    }


@pytest.mark.parametrize(
    ("governorate", "on", "source", "effective_from", "review"),
    [
        ("21", "2026-11-24", "governorate", "2025-07-01", 120000),
        ("21", "2025-01-15", "governorate", "2024-07-01", 100000),
        ("02", "2026-11-24", "national", "2024-07-01", None),  # no override: national default
        ("21", "2024-01-15", "national", "2023-07-01", 75000),  # before Giza's first override
    ],
)
async def test_fees_resolve_for_a_governorate_on_a_date(
    catalogue: Catalogue,
    governorate: str,
    on: str,
    source: str,
    effective_from: str,
    review: int | None,
) -> None:
    fees = (await get(catalogue, "/services/BLD-002", governorate=governorate, on=on))["fees"]
    assert (fees["source"], fees["effective_from"]) == (source, effective_from)
    if review is not None:
        assert next(i for i in fees["items"] if i["code"] == "review")["amount_piasters"] == review


async def test_quote_for_an_area(catalogue: Catalogue) -> None:
    body = {"governorate": "21", "on": "2026-11-24", "inputs": {"built_area": 120}}
    response = await catalogue.client.post(f"{API}/services/BLD-002/quote", json=body)
    assert response.status_code == 200, response.text
    quote = response.json()
    assert (quote["service_code"], quote["governorate"], quote["on"]) == (
        "BLD-002",
        "21",
        "2026-11-24",
    )
    assert quote["effective_from"] == "2025-07-01"
    lines = {line["item_code"]: line for line in quote["lines"]}
    assert lines["review"]["amount_piasters"] == 120000
    assert lines["permit"]["quantity"] == "120"
    assert lines["permit"]["amount_piasters"] == 120 * 450
    assert quote["total_piasters"] == sum(line["amount_piasters"] for line in quote["lines"])

    # Arabic-Indic digits are read; the minimum applies to a small area.
    small = {"governorate": "٢١", "on": "2026-11-24", "inputs": {"built_area": "١٠"}}
    lines = {
        line["item_code"]: line
        for line in (
            await catalogue.client.post(f"{API}/services/BLD-002/quote", json=small)
        ).json()["lines"]
    }
    assert lines["permit"]["amount_piasters"] == 30000


@pytest.mark.parametrize(
    ("inputs", "code"),
    [
        ({}, "fee.input_missing"),
        ({"built_area": "lots"}, "not_number"),
        ({"built_area": 0}, "below_minimum"),
        ({"built_area": 10_000_000}, "above_maximum"),
    ],
)
async def test_quote_refuses_missing_or_invalid_inputs_naming_them(
    catalogue: Catalogue, inputs: dict[str, Any], code: str
) -> None:
    body = {"governorate": "21", "inputs": inputs}
    response = await catalogue.client.post(f"{API}/services/BLD-002/quote", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("inputs.built_area", code)
    ]


async def test_categories_count_active_services(catalogue: Catalogue) -> None:
    categories = await get(catalogue, "/categories")
    assert [c["order"] for c in categories] == sorted(c["order"] for c in categories)
    assert sum(c["services"] for c in categories) == len(load_services())
    assert sum(c["online_services"] for c in categories) == 48
    building = next(c for c in categories if c["code"] == "BLD")
    assert building["services"] == sum(1 for s in load_services() if s.category_code == "BLD")


async def test_fee_schedule_history(catalogue: Catalogue) -> None:
    history = await get(catalogue, "/services/BLD-002/fee-schedules", governorate="21")
    periods = [(s["governorate"], s["effective_from"], s["effective_to"]) for s in history["items"]]
    assert (None, "2023-07-01", "2024-07-01") in periods
    assert ("21", "2025-07-01", None) in periods
    assert all(g in (None, "21") for g, _, _ in periods)


async def test_openapi_documents_parameters_and_response_models(catalogue: Catalogue) -> None:
    spec = (await catalogue.client.get(f"{API}/openapi.json")).json()
    listing = spec["paths"][f"{API}/services"]["get"]
    parameters = {p["name"]: p for p in listing["parameters"]}
    assert {"category", "channel", "online", "centre", "governorate", "limit", "offset"} <= set(
        parameters
    )
    assert parameters["channel"]["schema"]["anyOf"][0]["enum"] == [
        "centre", "mobile_centre", "portal", "app", "partner_api",
    ]  # fmt: skip
    assert parameters["limit"]["schema"]["maximum"] == 200
    ok = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/ServicePage")
    assert "from" in {p["name"] for p in spec["paths"][f"{API}/mobile-stops"]["get"]["parameters"]}
    for path in ("/c/{code}", "/c/{code}/qr.png", "/guide", "/guide/{scope}.pdf"):
        assert path in spec["paths"]
    assert "Idempotency-Key" in {
        p["name"] for p in spec["paths"][f"{API}/services"]["post"]["parameters"]
    }
