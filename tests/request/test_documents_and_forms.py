"""Document sniffing and the typed form fields."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from request_service.domain.catalogue import FormField, Option
from request_service.domain.documents import (
    DocumentFormat,
    DocumentRequirement,
    OfferedDocument,
    check_documents,
    sniff,
)
from request_service.domain.forms import clean_form
from request_service.domain.text import Bilingual
from tests.request.conftest import JPEG, PDF, PNG


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF, DocumentFormat.PDF),
        (PNG, DocumentFormat.PNG),
        (JPEG, DocumentFormat.JPEG),
        (b"GIF89a", None),
        (b"", None),
        (b"%PD", None),
        (b"<html>", None),
    ],
)
def test_sniffing_by_magic_bytes(head: bytes, expected: DocumentFormat | None) -> None:
    assert sniff(head[:8]) == expected


def test_documents_against_requirements() -> None:
    requirements = [
        DocumentRequirement("id", Bilingual("بطاقة", "ID")),
        DocumentRequirement(
            "sketch", Bilingual("كروكي", "Sketch"), formats=frozenset({DocumentFormat.PDF})
        ),
        DocumentRequirement("extra", Bilingual("إضافي", "Extra"), required=False),
    ]
    ok = [OfferedDocument("id", DocumentFormat.JPEG), OfferedDocument("sketch", DocumentFormat.PDF)]
    assert check_documents(requirements, ok) == []
    problems = check_documents(
        requirements,
        [
            OfferedDocument("sketch", DocumentFormat.PNG),
            OfferedDocument("cv", DocumentFormat.PDF),
            OfferedDocument("extra", None),
        ],
    )
    assert {(e.code, e.problem) for e in problems} == {
        ("sketch", "type_not_accepted"),
        ("cv", "unknown_document"),
        ("extra", "unsupported_type"),
        ("id", "required"),
    }
    # Later additions need not repeat what is already attached.
    assert (
        check_documents(
            requirements, [OfferedDocument("extra", DocumentFormat.PNG)], require_all=False
        )
        == []
    )


FIELDS = [
    FormField("area", "area_m2", Bilingual("", ""), min_value=Decimal(1), max_value=Decimal(1000)),
    FormField("name", "text", Bilingual("", ""), max_length=10),
    FormField("when", "date", Bilingual("", ""), required=False),
    FormField(
        "use",
        "choice",
        Bilingual("", ""),
        options=(Option("a", Bilingual("", "")), Option("b", Bilingual("", ""))),
    ),
    FormField(
        "uses",
        "multi_choice",
        Bilingual("", ""),
        required=False,
        max_value=Decimal(1),
        options=(Option("a", Bilingual("", "")), Option("b", Bilingual("", ""))),
    ),
    FormField("owner", "national_id", Bilingual("", ""), required=False),
    FormField("phone", "phone", Bilingual("", ""), required=False),
]


def test_clean_form_normalises() -> None:
    cleaned, errors = clean_form(
        FIELDS,
        {
            "area": "١٢٠٫٥",
            "name": "  سيد   علي ",
            "when": "٢٠٢٦-١١-٢٤",
            "use": "a",
            "owner": "٢٨٥٠٣١٢٢١٠١٢٣٤",
            "phone": "+20 10 1234 5678",
        },
    )
    assert errors == []
    assert cleaned == {
        "area": 120.5,
        "name": "سيد علي",
        "when": "2026-11-24",
        "use": "a",
        "owner": "28503122101234",
        "phone": "+201012345678",
    }


def test_clean_form_names_every_bad_field() -> None:
    _, errors = clean_form(
        FIELDS,
        {
            "area": 0,
            "name": "x" * 11,
            "when": "24/11/2026",
            "use": "c",
            "uses": ["a", "b"],
            "owner": "38503122101234",
            "phone": "0123",
            "colour": "red",
        },
        today=date(2026, 11, 24),  # an ID born in 2085 is refused
    )
    assert {(e.field, e.code) for e in errors} == {
        ("colour", "unknown_field"),
        ("area", "below_minimum"),
        ("name", "too_long"),
        ("when", "not_date"),
        ("use", "not_an_option"),
        ("uses", "too_many_options"),
        ("owner", "national_id_birth_date"),
        ("phone", "mobile_format"),
    }
    _, missing = clean_form(FIELDS, {})
    assert {(e.field, e.code) for e in missing} == {
        ("area", "required"),
        ("name", "required"),
        ("use", "required"),
    }
