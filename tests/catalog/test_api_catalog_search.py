"""Search through the API, with queries as people type them."""

from __future__ import annotations

import pytest

from tests.catalog.conftest import Catalogue


async def search(catalogue: Catalogue, q: str, limit: int = 5) -> list[str]:
    response = await catalogue.client.get("/api/v1/catalog/search", params={"q": q, "limit": limit})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["query"] == q
    scores = [hit["score"] for hit in body["items"]]
    assert scores == sorted(scores, reverse=True)
    return [hit["code"] for hit in body["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("رخصة بناء", "BLD-002"),
        ("رخصه بنا", "BLD-002"),  # ة typed as ه, the hamza left off
        ("رُخْصَةُ بِنَاءٍ", "BLD-002"),  # with diacritics
        ("رخـــصة بناء", "BLD-002"),  # with tatweel
        ("محل", "SHP-001"),
        ("shop licence", "SHP-001"),
        ("building permit", "BLD-002"),
        ("رخصة محل عام", "SHP-001"),  # «رخصة» and «ترخيص» are one word
        ("توك توك", "VEH-001"),  # the licence, not its renewal
        ("تصالح", "REC-001"),
    ],
)
async def test_search_ranks_the_service_people_mean_first(
    catalogue: Catalogue, query: str, expected: str
) -> None:
    assert (await search(catalogue, query))[0] == expected


async def test_search_finds_shops_for_an_arabic_word_and_stays_in_the_category(
    catalogue: Catalogue,
) -> None:
    hits = await search(catalogue, "محل", limit=5)
    assert all(code.startswith("SHP-") for code in hits)


async def test_search_by_code_and_nothing_for_nonsense(catalogue: Catalogue) -> None:
    assert (await search(catalogue, "bld-002"))[0] == "BLD-002"
    assert await search(catalogue, "zzqx") == []


async def test_an_empty_query_is_refused_naming_q(catalogue: Catalogue) -> None:
    response = await catalogue.client.get("/api/v1/catalog/search", params={"q": "  "})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["q"]
