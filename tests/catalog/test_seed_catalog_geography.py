"""Reference geography: the 27 governorates and their subdivisions."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from catalog_service.domain.codes import covers
from catalog_service.domain.geography import SubdivisionKind
from catalog_service.seed import load_governorates, load_subdivisions, subdivisions_of

# egypt.md: the national-ID codes of the 27 governorates (88 = born abroad is not one).
EXPECTED = {
    "01": "القاهرة", "02": "الإسكندرية", "03": "بورسعيد", "04": "السويس", "11": "دمياط",
    "12": "الدقهلية", "13": "الشرقية", "14": "القليوبية", "15": "كفر الشيخ", "16": "الغربية",
    "17": "المنوفية", "18": "البحيرة", "19": "الإسماعيلية", "21": "الجيزة", "22": "بني سويف",
    "23": "الفيوم", "24": "المنيا", "25": "أسيوط", "26": "سوهاج", "27": "قنا", "28": "أسوان",
    "29": "الأقصر", "31": "البحر الأحمر", "32": "الوادي الجديد", "33": "مطروح",
    "34": "شمال سيناء", "35": "جنوب سيناء",
}  # fmt: skip
ARABIC = re.compile("^[\u0600-\u06ff0-9 ()]+$")


def test_the_27_governorates_with_their_national_id_codes() -> None:
    governorates = load_governorates()
    assert len(governorates) == 27
    assert {g.code: g.name_ar for g in governorates} == EXPECTED
    assert "88" not in {g.code for g in governorates}


def test_governorate_facts_are_plausible() -> None:
    for g in load_governorates():
        assert 22 <= g.latitude <= 32, g.code
        assert 24 <= g.longitude <= 37, g.code
        assert g.population > 50_000
        assert re.fullmatch(r"0\d{1,2}", g.phone_area_code)
        assert g.name_en.isascii()
        assert ARABIC.match(g.capital_ar)


def test_subdivision_codes_are_unique_and_inside_their_governorate() -> None:
    subdivisions = load_subdivisions()
    codes = [s.code for s in subdivisions]
    assert len(codes) == len(set(codes))
    for s in subdivisions:
        assert re.fullmatch(r"\d{2}-\d{2}", s.code)
        assert covers(s.governorate_code, s.code)


@pytest.mark.parametrize(
    ("code", "at_least", "must_include"),
    [
        ("01", 35, {"مصر الجديدة", "حلوان", "المعادي", "شبرا"}),
        ("21", 18, {"الدقي", "الهرم", "العياط", "أطفيح"}),
        ("02", 9, {"المنتزه أول", "الجمرك", "العامرية أول"}),
        ("18", 15, {"دمنهور", "كفر الدوار", "رشيد", "وادي النطرون"}),
        ("26", 11, {"سوهاج", "أخميم", "جرجا", "طهطا"}),
        ("28", 8, {"أسوان", "إدفو", "كوم أمبو", "أبو سمبل"}),
    ],
)
def test_detailed_governorates_have_their_real_subdivisions(
    code: str, at_least: int, must_include: set[str]
) -> None:
    subdivisions = subdivisions_of(code)
    assert len(subdivisions) >= at_least
    assert must_include <= {s.name_ar for s in subdivisions}


def test_every_governorate_has_its_capital_and_names_in_both_languages() -> None:
    for g in load_governorates():
        subdivisions = subdivisions_of(g.code)
        assert len(subdivisions) >= 4, g.code
        names = Counter(s.name_ar for s in subdivisions)
        assert max(names.values()) == 1, g.code
        for s in subdivisions:
            assert ARABIC.match(s.name_ar), s
            assert s.name_en, s
            assert s.name_en.isascii(), s
    for g in load_governorates():
        if g.code not in {"01", "02", "03", "04", "21"}:  # capitals divided into districts
            assert g.capital_ar in {s.name_ar for s in subdivisions_of(g.code)}, g.code


def test_labels_carry_the_kind() -> None:
    dokki = next(s for s in subdivisions_of("21") if s.name_en == "Dokki")
    assert dokki.kind is SubdivisionKind.DISTRICT
    assert (dokki.label_ar, dokki.label_en) == ("حي الدقي", "Dokki District")
    edfu = next(s for s in subdivisions_of("28") if s.name_en == "Edfu")
    assert (edfu.label_ar, edfu.label_en) == ("مركز إدفو", "Edfu Markaz")
