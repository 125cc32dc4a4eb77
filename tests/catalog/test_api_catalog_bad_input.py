"""Bad input: unknown codes are 404 problems; invalid filters are 422 problems naming the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from tests.catalog.conftest import Catalogue

API = "/api/v1/catalog"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/services?governorate=ab", "governorate"),
        ("/services?governorate=99", "governorate"),
        ("/services?channel=fax", "channel"),
        ("/services?online=maybe", "online"),
        ("/services?limit=0", "limit"),
        ("/services?limit=1000", "limit"),
        ("/services?offset=-1", "offset"),
        ("/services?category=XYZ", "category"),
        ("/services?centre=21-99-F01", "centre"),
        ("/services?centre=nowhere", "centre"),
        ("/services/BLD-002?on=2026-13-40", "on"),
        ("/services/BLD-002?governorate=1", "governorate"),
        ("/centres?kind=boat", "kind"),
        ("/centres?subdivision=21-99", "subdivision"),
        ("/centres?service=XXX-999", "service"),
        ("/centres?limit=501", "limit"),
        ("/mobile-stops?from=yesterday", "from"),
        ("/mobile-stops?days=60", "days"),
        ("/centres/21-M01/schedule?days=0", "days"),
        ("/search?q=", "q"),
        ("/search?q=%D9%85%D8%AD%D9%84&limit=51", "limit"),
    ],
)
async def test_invalid_filters_are_422_naming_the_field(
    catalogue: Catalogue, path: str, field: str
) -> None:
    response = await catalogue.client.get(API + path)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert [e["field"] for e in problem["errors"]] == [field]
    assert all(e["location"] == "query" for e in problem["errors"])


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/services/XXX-999", "service_not_found"),
        ("/services/XXX-999/fee-schedules", "service_not_found"),
        ("/centres/21-99-F09", "centre_not_found"),
        ("/centres/21-99-F09/schedule", "centre_not_found"),
        ("/governorates/99", "governorate_not_found"),
        ("/governorates/99/subdivisions", "governorate_not_found"),
    ],
)
async def test_unknown_codes_are_404_problems(catalogue: Catalogue, path: str, code: str) -> None:
    response = await catalogue.client.get(API + path)
    assert response.status_code == 404
    assert response.json()["code"] == code


async def test_unknown_quote_service_and_bad_quote_body(catalogue: Catalogue) -> None:
    unknown = await catalogue.client.post(f"{API}/services/XXX-999/quote", json={"inputs": {}})
    assert unknown.status_code == 404
    bad = await catalogue.client.post(
        f"{API}/services/BLD-002/quote", json={"governorate": "99", "on": "not a day"}
    )
    assert bad.status_code == 422
    assert [(e["field"], e["code"]) for e in bad.json()["errors"]] == [
        ("governorate", "unknown_governorate"),
        ("on", "invalid_date"),
    ]
    extra = await catalogue.client.post(f"{API}/services/BLD-002/quote", json={"area": 5})
    assert extra.status_code == 422
    assert [e["field"] for e in extra.json()["errors"]] == ["area"]


async def test_problem_messages_follow_accept_language(catalogue: Catalogue) -> None:
    arabic = await catalogue.client.get(f"{API}/services/XXX-999")
    english = await catalogue.client.get(
        f"{API}/services/XXX-999", headers={"Accept-Language": "en-GB,en;q=0.8"}
    )
    assert arabic.json()["detail"] == "لا توجد خدمة بالرمز XXX-999"
    assert english.json()["detail"] == "no service XXX-999"


async def test_every_bad_quote_input_is_named_at_once(catalogue: Catalogue) -> None:
    # Road occupancy multiplies two inputs: one left out, the other not a number.
    response = await catalogue.client.post(
        f"{API}/services/ROD-001/quote", json={"inputs": {"occupancy_months": "many"}}
    )
    assert response.status_code == 422, response.text
    assert sorted((e["field"], e["code"]) for e in response.json()["errors"]) == [
        ("inputs.occupancy_area", "fee.input_missing"),
        ("inputs.occupancy_months", "not_number"),
    ]


@pytest.mark.parametrize(
    ("path", "check"),
    [
        ("/services?offset=١&limit=١٠", lambda body: (body["offset"], body["limit"]) == (1, 10)),
        ("/centres?limit=١٠", lambda body: (body["limit"], len(body["items"])) == (10, 10)),
        ("/centres?offset=٢٠٠&limit=٥", lambda body: (body["offset"], body["limit"]) == (200, 5)),
        ("/search?q=محل&limit=٢", lambda body: len(body["items"]) == 2),
        (
            "/mobile-stops?governorate=٢١&days=٣",
            lambda body: (
                date.fromisoformat(body["to"]) - date.fromisoformat(body["from"])
                == timedelta(days=3)
            ),
        ),
        (
            "/centres/21-M01/schedule?days=٧",
            lambda body: (
                date.fromisoformat(body["to"]) - date.fromisoformat(body["from"])
                == timedelta(days=7)
            ),
        ),
    ],
)
async def test_arabic_indic_digits_are_read_in_numeric_parameters(
    catalogue: Catalogue, path: str, check: Callable[[dict[str, Any]], bool]
) -> None:
    response = await catalogue.client.get(API + path)
    assert response.status_code == 200, response.text
    assert check(response.json())
