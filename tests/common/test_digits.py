"""The one Arabic-Indic digit table and numbers typed with Arabic or Latin separators."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mahaliyat.digits import (
    InvalidNumber,
    parse_decimal,
    parse_number,
    to_arabic_digits,
    to_ascii_digits,
)
from mahaliyat.money import Money


def test_both_arabic_scripts_become_ascii_and_nothing_else_changes() -> None:
    assert to_ascii_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ abc") == "0123456789 0123456789 abc"
    assert to_ascii_digits("رقم ٢١-٢٦") == "رقم 21-26"
    assert to_ascii_digits("١٠") == "10"
    assert to_ascii_digits("٣") == "3"


def test_every_digit_of_either_script_maps_to_its_value() -> None:
    for value in range(10):
        assert to_ascii_digits(chr(0x0660 + value)) == str(value)
        assert to_ascii_digits(chr(0x06F0 + value)) == str(value)


def test_ascii_becomes_arabic_indic_and_back() -> None:
    assert to_arabic_digits("رقم 2026-05") == "رقم ٢٠٢٦-٠٥"
    assert to_ascii_digits(to_arabic_digits("0123456789")) == "0123456789"
    assert to_arabic_digits("۵") == "۵"  # only ASCII digits are written in Arabic


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234", Decimal(1234)),
        ("0", Decimal(0)),
        ("1,234", Decimal(1234)),
        ("1,234,567.25", Decimal("1234567.25")),
        ("١٬٢٣٤٫٥", Decimal("1234.5")),
        ("١٢٣٤٫٥", Decimal("1234.5")),
        ("۱۲۳٫۵", Decimal("123.5")),
        ("150.5", Decimal("150.5")),
        ("٫٥", Decimal("0.5")),
        (".5", Decimal("0.5")),
        ("12.", Decimal(12)),
        ("-3", Decimal(-3)),
        ("\u22127", Decimal(-7)),  # minus sign
        ("+0.25", Decimal("0.25")),
        ("-1,234", Decimal(-1234)),
        ("  42  ", Decimal(42)),
        ("\u200f١٢\u200f", Decimal(12)),  # direction marks around it
        ("1,000,000", Decimal(1_000_000)),
        ("12345678.000001", Decimal("12345678.000001")),
    ],
)
def test_numbers_people_type(text: str, value: Decimal) -> None:
    assert parse_decimal(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        ".",
        "٫",
        "-",
        "+-1",
        "1,5",  # a decimal comma, or a thousands separator missing digits?
        "12,34",
        "1234,567",  # a group separator after four digits
        "1,2345",
        ",123",
        "1,234٫5",  # Latin thousands, Arabic decimal
        "١٬٢٣٤.٥",  # Arabic thousands, Latin decimal
        "1.234,5",  # European order
        "1.2.3",
        "1٫2٫3",
        "1e3",
        "1E-3",
        "1_000",
        "1 000",
        "NaN",
        "Infinity",
        "-inf",
        "0x10",
        "١٢a",
        "12\u00a0000",
        "١،٢",  # the Arabic comma is punctuation, not a separator
        "1" * 65,
    ],
)
def test_malformed_or_ambiguous_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidNumber) as refused:
        parse_decimal(text)
    assert refused.value.code == "not_number"
    assert isinstance(refused.value, ValueError)


def test_parse_number_is_an_int_when_whole() -> None:
    assert parse_number("1,000.0") == 1000
    assert type(parse_number("1,000.0")) is int
    assert type(parse_number("٧")) is int
    assert parse_number("2.5") == Decimal("2.5")
    assert isinstance(parse_number("2.5"), Decimal)


def test_money_in_arabic_is_read_back_to_the_same_amount() -> None:
    written = Money(123456789).format("ar").removesuffix(" ج.م")
    assert written == "١٬٢٣٤٬٥٦٧٫٨٩"
    assert parse_decimal(written) == Decimal("1234567.89")
