"""Bad input: unknown codes are 404 problems; invalid filters are 422 problems naming the field."""

from __future__ import annotations

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
    assert [e["field"] for e in bad.json()["errors"]] == ["governorate"]
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
