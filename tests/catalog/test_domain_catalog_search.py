"""Search as people type it: normalisation, light stemming, ranking on the real catalogue."""

from __future__ import annotations

import pytest

from catalog_service.domain.search import (
    SearchDocument,
    normalise,
    rank,
    score_service,
    service_document,
    stems,
    tokenise,
)
from catalog_service.seed import load_categories, load_services


@pytest.fixture(scope="module")
def docs() -> list[SearchDocument]:
    categories = {c.code: c for c in load_categories()}
    return [service_document(s, categories[s.category_code]) for s in load_services()]


def top(docs: list[SearchDocument], query: str, n: int) -> list[str]:
    return [hit.key for hit in rank(docs, query, n)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("رُخْصَةُ بِنَاءٍ", "رخصه بناء"),  # tashkeel dropped, ة → ه
        ("رخـــصة", "رخصه"),  # tatweel
        ("أإآٱا", "ااااا"),
        ("مبنى", "مبني"),
        ("مسؤول", "مسوول"),
        ("هيئة", "هييه"),
        ("قانون ١٥٤ لسنة ۲۰۱۹", "قانون 154 لسنه 2019"),
        ("  Shop   LICENCE\t", "shop licence"),
        ("BLD-002", "bld 002"),
        ("ﻻ", "لا"),  # presentation form
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_tokenise_drops_stop_words_but_never_everything() -> None:
    assert tokenise("ترخيص إشغال في الطريق") == ["ترخيص", "اشغال", "الطريق"]
    assert tokenise("permit for the shop") == ["permit", "shop"]
    assert tokenise("في") == ["في"]


def test_stems_strip_article_prefixes_and_plural_suffixes() -> None:
    assert "ترخيص" in stems("والترخيص")
    assert "محال" in stems("للمحال")
    assert "محل" in stems("محلات")
    assert "رخص" in stems("رخصه")
    assert "licence" in stems("licences")


def test_stems_leave_short_words_whole() -> None:
    # «بناء» starts with ب but is not «ب + ناء».
    assert stems("بناء") == frozenset({"بناء"})
    assert stems("بيت") == frozenset({"بيت"})


def test_building_permit_in_arabic_puts_the_permit_first(docs: list[SearchDocument]) -> None:
    assert top(docs, "رخصة بناء", 1) == ["BLD-002"]


@pytest.mark.parametrize(
    "query",
    ["رُخْصَة بِنَاء", "رخـــصة بنـــاء", "رخصه بناء", "رخصة بناء  ", "ترخيص بناء"],
)
def test_diacritics_tatweel_and_spelling_do_not_change_the_answer(
    docs: list[SearchDocument], query: str
) -> None:
    assert top(docs, query, 1) == ["BLD-002"]


def test_half_typed_query_finds_building_permits(docs: list[SearchDocument]) -> None:
    found = top(docs, "رخصه بنا", 3)
    assert found[0] == "BLD-002"
    # Licences to build, whatever is built (a tomb's, CEM-002, is one too).
    names = {s.code: s.name_ar for s in load_services()}
    assert all(names[code].startswith("ترخيص بناء") for code in found)


def test_rukhsa_and_tarkhis_are_one_word() -> None:
    """«رخصة» (a licence) and «ترخيص» (licensing) are what people type for the same thing."""

    def forms(word: str) -> frozenset[str]:
        return stems(normalise(word))

    assert forms("رخصة") & forms("ترخيص")
    assert forms("الرخصة") & forms("تراخيص")
    assert not forms("رخصة") & forms("تصريح")  # a permit stays a synonym, not the same word


def test_a_shop_licence_query_puts_the_licence_before_acts_on_one(
    docs: list[SearchDocument],
) -> None:
    # «رخصة» literally in «نقل ملكية رخصة محل عام» must not beat «ترخيص محل عام» itself.
    assert top(docs, "رخصة محل عام", 1) == ["SHP-001"]
    assert top(docs, "رخصه محل عام", 1) == ["SHP-001"]


def test_tok_tok_finds_the_licence_before_its_renewal(docs: list[SearchDocument]) -> None:
    found = top(docs, "توك توك", 10)
    assert found[0] == "VEH-001"
    assert found.index("VEH-001") < found.index("VEH-002")  # the licence, then its renewal


def test_a_query_naming_an_act_on_a_licence_finds_that_act(docs: list[SearchDocument]) -> None:
    assert top(docs, "تجديد رخصة توك توك", 1) == ["VEH-002"]
    assert top(docs, "تجديد ترخيص محل", 1) == ["SHP-004"]


def test_reconciliation_puts_the_reconciliation_request_clearly_first(
    docs: list[SearchDocument],
) -> None:
    first, second, *_ = rank(docs, "تصالح", 5)
    assert first.key == "REC-001"
    assert first.score >= 1.2 * second.score


@pytest.mark.parametrize("query", ["محل", "المحلات", "للمحال العامة", "رخصة محل"])
def test_shop_in_arabic_finds_public_shop_services(docs: list[SearchDocument], query: str) -> None:
    found = top(docs, query, 5)
    assert found[0] == "SHP-001"
    assert all(code.startswith("SHP-") for code in found)


@pytest.mark.parametrize("query", ["shop licence", "shop license", "Shop Licences", "shops"])
def test_shop_licence_in_english_either_spelling(docs: list[SearchDocument], query: str) -> None:
    found = top(docs, query, 3)
    assert found[0] == "SHP-001"
    assert all(code.startswith("SHP-") for code in found)


@pytest.mark.parametrize("query", ["إشغال طريق", "اشغال الطريق", "إشـــغال طَرِيق"])
def test_road_occupancy(docs: list[SearchDocument], query: str) -> None:
    found = top(docs, query, 4)
    assert found[0] == "ROD-001"
    assert all(code.startswith("ROD-") for code in found)


def test_arabic_indic_digits_are_read(docs: list[SearchDocument]) -> None:
    assert top(docs, "قانون ١٥٤", 1) == ["SHP-001"]
    assert top(docs, "bld-٠٠٢", 1) == ["BLD-002"]


def test_service_code_query_puts_that_service_first_by_far(docs: list[SearchDocument]) -> None:
    first, *rest = rank(docs, "rod-004", 5)
    assert first.key == "ROD-004"
    assert all(hit.score * 10 < first.score for hit in rest)


def test_unrelated_or_empty_query_finds_nothing(docs: list[SearchDocument]) -> None:
    assert rank(docs, "xyzzy") == []
    assert rank(docs, "   ") == []
    assert rank(docs, "،،") == []


def test_results_are_ordered_by_score_and_limited(docs: list[SearchDocument]) -> None:
    hits = rank(docs, "ترخيص", limit=10)
    assert len(hits) == 10
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_score_service_ranks_the_named_service_above_an_unrelated_one() -> None:
    services = {s.code: s for s in load_services()}
    assert score_service(services["ENV-003"], "قمامة") > score_service(services["BLD-002"], "قمامة")
    assert score_service(services["BLD-002"], "قمامة") == 0
