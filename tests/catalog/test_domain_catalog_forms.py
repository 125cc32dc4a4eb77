"""Validating application form data against a service's typed fields."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from catalog_service.domain.catalogue import FieldKind, FormField, Option
from catalog_service.domain.forms import FieldError, clean_form, validate_form
from catalog_service.seed import load_services

USES = (Option("residential", "سكني", "Residential"), Option("commercial", "تجاري", "Commercial"))
FIELDS = (
    FormField("name", FieldKind.TEXT, "الاسم", "Name", max_length=10),
    FormField("nid", FieldKind.NATIONAL_ID, "الرقم القومي", "National ID"),
    FormField("phone", FieldKind.PHONE, "الهاتف", "Phone", required=False),
    FormField("floors", FieldKind.NUMBER, "الأدوار", "Floors", min_value=1, max_value=40),
    FormField("area", FieldKind.AREA_M2, "المساحة", "Area", max_value=1000),
    FormField("start", FieldKind.DATE, "البدء", "Start", required=False),
    FormField("use", FieldKind.CHOICE, "الاستخدام", "Use", options=USES),
    FormField(
        "uses", FieldKind.MULTI_CHOICE, "الاستخدامات", "Uses",
        required=False, options=USES, min_value=1,
    ),
)  # fmt: skip
GOOD: dict[str, object] = {
    "name": "أحمد علي",
    "nid": "29001010123456",
    "floors": 4,
    "area": "150.5",
    "use": "residential",
}


def errors(**changes: object) -> list[tuple[str, str]]:
    data = {**GOOD, **changes}
    return [(e.field, e.code) for e in validate_form(FIELDS, data)]


def test_valid_data_has_no_errors() -> None:
    assert errors() == []


def test_required_fields_missing_or_blank() -> None:
    data = {k: v for k, v in GOOD.items() if k != "nid"}
    assert validate_form(FIELDS, data) == [FieldError("nid", "required")]
    assert errors(name="   ") == [("name", "required")]


def test_optional_fields_may_be_absent_or_empty() -> None:
    assert errors(phone="", start=None, uses=[]) == []


def test_unknown_fields_are_reported() -> None:
    assert errors(colour="blue") == [("colour", "unknown_field")]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "اسم طويل جدًا جدًا"}, ("name", "too_long")),
        ({"name": 12}, ("name", "not_text")),
        ({"floors": 0}, ("floors", "below_minimum")),
        ({"floors": 41}, ("floors", "above_maximum")),
        ({"floors": "أربعة"}, ("floors", "not_number")),
        ({"floors": True}, ("floors", "not_number")),
        ({"floors": "Infinity"}, ("floors", "not_number")),
        ({"area": 0}, ("area", "below_minimum")),
        ({"area": 1000.01}, ("area", "above_maximum")),
        ({"start": "2025-02-30"}, ("start", "not_date")),
        ({"start": 20250101}, ("start", "not_date")),
        ({"use": "industrial"}, ("use", "not_an_option")),
        ({"uses": "residential"}, ("uses", "not_a_list")),
        ({"uses": ["residential", "residential"]}, ("uses", "duplicate_option")),
        ({"uses": ["residential", "farm"]}, ("uses", "not_an_option")),
        ({"nid": "2900101012345"}, ("nid", "national_id_format")),
        ({"nid": "19001010123456"}, ("nid", "national_id_century")),
        ({"nid": "29002300123456"}, ("nid", "national_id_birth_date")),
        ({"nid": "29001019912345"}, ("nid", "national_id_governorate")),
        ({"nid": 29001010123456}, ("nid", "national_id_format")),
        ({"phone": "0227306178"}, ("phone", "mobile_format")),
        ({"phone": 1012345678}, ("phone", "mobile_format")),
    ],
)
def test_each_kind_of_error(changes: dict[str, object], expected: tuple[str, str]) -> None:
    assert errors(**changes) == [expected]


def test_every_error_is_reported_at_once() -> None:
    found = errors(floors=0, use="x", phone="123")
    assert sorted(found) == [
        ("floors", "below_minimum"),
        ("phone", "mobile_format"),
        ("use", "not_an_option"),
    ]


def test_multi_choice_minimum_count() -> None:
    field = FormField("k", FieldKind.MULTI_CHOICE, "ك", "K", options=USES, min_value=2)
    assert validate_form([field], {"k": ["residential"]}) == [FieldError("k", "too_few_options")]


def test_clean_form_normalises_values() -> None:
    cleaned, problems = clean_form(
        FIELDS,
        {
            **GOOD,
            "nid": "٢٩٠٠١٠١٠١٢٣٤٥٦",
            "phone": "+20 101 234 5678",
            "floors": "١٢",
            "start": "٢٠٢٥-٠٣-٠١",
            "uses": ["commercial"],
            "name": "  أحمد   علي ",
        },
    )
    assert problems == []
    assert cleaned["nid"] == "29001010123456"
    assert cleaned["phone"] == "+201012345678"
    assert cleaned["floors"] == Decimal(12)
    assert cleaned["area"] == Decimal("150.5")
    assert cleaned["start"] == date(2025, 3, 1)
    assert cleaned["name"] == "أحمد علي"


def test_national_id_born_after_today_is_refused() -> None:
    assert validate_form(FIELDS, {**GOOD, "nid": "32601010123456"}, today=date(2025, 1, 1)) == [
        FieldError("nid", "national_id_birth_date")
    ]


def test_a_real_building_permit_application_validates() -> None:
    service = next(s for s in load_services() if s.code == "BLD-002")
    data = {
        "applicant_name": "محمد أحمد محمود حسن",
        "applicant_nid": "28512250123457",
        "applicant_phone": "01012345678",
        "applicant_capacity": "owner",
        "property_address": "١٢ شارع التحرير، الدقي، الجيزة",
        "plot_area": "250",
        "built_area": 1000,
        "floors_count": 4,
        "building_use": "residential",
        "works_value": 2500000,
        "engineer_name": "مكتب النيل للاستشارات الهندسية",
        "engineer_syndicate_no": "45123",
    }
    assert validate_form(service.fields, data) == []
    del data["built_area"]
    assert validate_form(service.fields, data) == [FieldError("built_area", "required")]
