"""National-ID structure and Egyptian mobile numbers."""

from __future__ import annotations

from datetime import date

import pytest

from catalog_service.domain.personal_numbers import (
    ascii_digits,
    national_id_problem,
    normalise_mobile,
    parse_national_id,
)

VALID = "29001010123456"  # 2 | 900101 | 01 Cairo | 2345 | 6


def test_parse_valid_national_id() -> None:
    nid = parse_national_id(VALID)
    assert nid.number == VALID
    assert nid.birth_date == date(1990, 1, 1)
    assert nid.governorate_code == "01"


def test_sex_follows_the_thirteenth_digit() -> None:
    assert parse_national_id(VALID).sex == "male"  # sequence 2345: 5 is odd
    assert parse_national_id("29001010123446").sex == "female"  # sequence 2344


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2900101012345", "national_id.format"),  # 13 digits
        ("290010101234567", "national_id.format"),  # 15 digits
        ("2900101012345x", "national_id.format"),
        ("19001010123456", "national_id.century"),
        ("49001010123456", "national_id.century"),
        ("29002300123456", "national_id.birth_date"),  # 30 February
        ("29013010123456", "national_id.birth_date"),  # month 13
        ("29001019912345", "national_id.governorate"),  # 99
        ("29001010523456", "national_id.governorate"),  # 05 is not used
    ],
)
def test_structure_errors(value: str, code: str) -> None:
    assert national_id_problem(value) == code


def test_arabic_indic_digits_and_born_abroad_are_accepted() -> None:
    assert national_id_problem("٢٩٠٠١٠١٠١٢٣٤٥٦") is None
    assert parse_national_id("30105058812344").governorate_code == "88"


def test_birth_date_after_today_is_refused_when_today_is_given() -> None:
    future = "32601010123456"  # 2026-01-01
    assert national_id_problem(future) is None
    assert national_id_problem(future, today=date(2025, 6, 1)) == "national_id.birth_date"


@pytest.mark.parametrize(
    "value",
    [
        "01012345678",
        "+201012345678",
        "00201012345678",
        "201012345678",
        "010 1234 5678",
        "٠١٠١٢٣٤٥٦٧٨",
    ],
)
def test_mobile_forms_normalise_to_e164(value: str) -> None:
    assert normalise_mobile(value) == "+201012345678"


@pytest.mark.parametrize("prefix", ["010", "011", "012", "015"])
def test_all_four_operators(prefix: str) -> None:
    assert normalise_mobile(prefix + "12345678") == "+2" + prefix + "12345678"


@pytest.mark.parametrize(
    "value",
    ["01312345678", "0101234567", "010123456789", "0227306178", "+2001012345678", "phone", ""],
)
def test_not_mobile_numbers(value: str) -> None:
    assert normalise_mobile(value) is None


def test_ascii_digits() -> None:
    assert ascii_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ abc") == "0123456789 0123456789 abc"
