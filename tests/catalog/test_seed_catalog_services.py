"""The service catalogue as seeded: counts, codes, channels, forms and documents."""

from __future__ import annotations

import re
from collections import Counter

from catalog_service.domain.catalogue import Channel, FieldKind
from catalog_service.domain.centres import CentreKind
from catalog_service.seed import load_categories, load_departments, load_services

ARABIC = re.compile("[\u0600-\u06ff]")


def test_at_least_180_services_48_online() -> None:
    services = load_services()
    assert len(services) >= 180
    assert sum(s.online for s in services) == 48


def test_centre_kinds_match_the_ministrys_figures() -> None:
    services = load_services()
    mobile = sum(s.offered_by(CentreKind.MOBILE) for s in services)
    hq = sum(s.offered_by(CentreKind.GOVERNORATE_HQ) for s in services)
    fixed = sum(s.offered_by(CentreKind.FIXED) for s in services)
    assert 130 <= mobile <= 150  # "about 140"
    assert hq >= 80  # "80+"
    assert fixed >= 170  # "on average 180"
    assert any(s.centre_kinds == (CentreKind.GOVERNORATE_HQ,) for s in services)
    assert sum(s.offered_by(CentreKind.LICENSING) for s in services) >= 20


def test_codes_are_unique_and_carry_their_category() -> None:
    services = load_services()
    codes = [s.code for s in services]
    assert len(codes) == len(set(codes))
    for s in services:
        assert re.fullmatch(r"[A-Z]{3}-\d{3}", s.code)
        assert s.code[:3] == s.category_code


def test_categories_and_departments_exist_and_are_used() -> None:
    categories = {c.code for c in load_categories()}
    departments = {d.code for d in load_departments()}
    services = load_services()
    assert {s.category_code for s in services} == categories
    assert {s.department_code for s in services} <= departments
    assert {
        "BLD",
        "SHP",
        "ROD",
        "ADV",
        "PRP",
        "UTL",
        "CRT",
        "CEM",
        "MKT",
        "ENV",
        "VEH",
    } <= categories
    assert min(Counter(s.category_code for s in services).values()) >= 5


def test_names_and_descriptions_in_both_languages() -> None:
    for s in load_services():
        for text in (s.name_ar, s.description_ar):
            assert ARABIC.search(text), s.code
        for text in (s.name_en, s.description_en):
            assert text, s.code
            assert not ARABIC.search(text), s.code
        assert len(s.description_ar) > 40, s.code
        assert len(s.description_en) > 40, s.code
    names = [s.name_ar for s in load_services()]
    assert len(names) == len(set(names))


def test_channels_follow_online_and_centre_kinds() -> None:
    for s in load_services():
        online_channels = {Channel.PORTAL, Channel.APP} <= set(s.channels)
        assert online_channels is s.online, s.code
        assert (Channel.MOBILE_CENTRE in s.channels) is s.offered_by(CentreKind.MOBILE), s.code
        assert Channel.CENTRE in s.channels or s.centre_kinds == (CentreKind.MOBILE,)
    assert any(Channel.PARTNER_API in s.channels for s in load_services())


def test_every_service_has_a_procedure_a_form_and_a_sensible_sla() -> None:
    for s in load_services():
        assert len(s.steps) >= 4, s.code
        assert [step.order for step in s.steps] == list(range(1, len(s.steps) + 1))
        assert s.fields, s.code
        assert 1 <= s.sla_days <= 90, s.code
        names = [f.name for f in s.fields]
        assert len(names) == len(set(names)), s.code
        docs = [d.code for d in s.documents]
        assert len(docs) == len(set(docs)), s.code


def test_choice_fields_have_options_and_numbers_have_sane_bounds() -> None:
    for s in load_services():
        for f in s.fields:
            if f.kind in (FieldKind.CHOICE, FieldKind.MULTI_CHOICE):
                assert len(f.options) >= 2, (s.code, f.name)
                assert len(f.option_codes) == len(f.options)
            else:
                assert not f.options, (s.code, f.name)
            if f.min_value is not None and f.max_value is not None:
                assert f.min_value < f.max_value


def test_the_services_the_issue_names_are_there() -> None:
    by_code = {s.code: s for s in load_services()}
    assert "بيان صلاحية الموقع" in by_code["BLD-001"].name_ar
    assert by_code["BLD-002"].name_ar.startswith("ترخيص بناء")
    site_statement = {d.code for d in by_code["BLD-001"].documents if d.required}
    assert site_statement == {"nid_copy", "site_sketch"}  # egypt.md: an ID copy and a sketch
    assert by_code["BLD-002"].sla_days == 26
    assert any("إشغال طريق" in s.name_ar for s in by_code.values())
    shops = [s for s in by_code.values() if s.category_code == "SHP"]
    assert {"الترخيص المعتاد", "بالإخطار", "مؤقت", "تجديد"} <= {
        word
        for s in shops
        for word in ("الترخيص المعتاد", "بالإخطار", "مؤقت", "تجديد")
        if word in s.name_ar
    }
    assert any("هدم" in s.name_ar for s in by_code.values())


def test_utility_letters_are_one_per_utility() -> None:
    letters = [s for s in load_services() if s.code in {f"UTL-00{i}" for i in range(1, 9)}]
    assert len(letters) == 8
    assert len({s.name_ar for s in letters}) == 8
    for word in ("الكهربائي", "مياه الشرب", "الغاز", "الصرف الصحي"):
        assert sum(word in s.name_ar for s in letters) == 2
    assert "{" not in "".join(
        s.name_ar + s.description_en + "".join(s.keywords_en) for s in letters
    )
