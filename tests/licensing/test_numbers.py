"""Permit and licence numbers: never mistaken for tracking, invoice or receipt numbers."""

from __future__ import annotations

from licensing_service.domain.numbers import (
    CertificateKind,
    licence_number,
    parse_licence_number,
    permit_number,
)
from mahaliyat.checkdigit import damm


def test_the_written_forms_carry_their_kind() -> None:
    permit, licence = permit_number("21", 2026, 4217), licence_number("21", 2026, 4217)
    assert str(permit).startswith("PRM-21-26-0004217-")
    assert str(licence).startswith("LIC-21-26-0004217-")
    assert permit.check_digit != licence.check_digit


def test_parsing_accepts_arabic_digits_spacing_and_a_missing_prefix() -> None:
    number = licence_number("01", 26, 15)
    digits = str(number).removeprefix("LIC-").replace("-", "")
    arabic = digits.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert parse_licence_number(str(number)) == number
    assert parse_licence_number(f"lic {digits}") == number
    assert parse_licence_number(arabic) == number
    assert parse_licence_number(digits, CertificateKind.SHOP_LICENCE) == number
    assert parse_licence_number(digits, CertificateKind.BUILDING_PERMIT) is None


def test_a_wrong_prefix_or_a_typo_is_refused() -> None:
    number = str(permit_number("21", 26, 99))
    assert parse_licence_number("LIC" + number.removeprefix("PRM")) is None
    typo = number[:-3] + ("0" if number[-3] != "0" else "1") + number[-2:]
    assert parse_licence_number(typo) is None


def test_no_licence_number_checks_as_a_tracking_invoice_or_receipt_number() -> None:
    for sequence in range(1, 400):
        for number in (permit_number("21", 26, sequence), licence_number("21", 26, sequence)):
            full = number.body + str(number.check_digit)
            assert damm(full) != 0  # tracking numbers: no kind digit
            assert damm("7" + full) != 0  # invoices
            assert damm("8" + full) != 0  # receipts
