"""Invoice and receipt numbers: the tracking number's shape, never mistaken for one."""

from __future__ import annotations

import pytest

from mahaliyat.checkdigit import is_valid_damm
from payment_service.domain.numbers import (
    DocumentNumber,
    NumberKind,
    invoice_number,
    parse_document_number,
    parse_invoice_number,
    parse_receipt_number,
    receipt_number,
)


def test_the_written_forms() -> None:
    assert str(invoice_number("21", 2026, 4217)) == "INV-21-26-0004217-2"
    assert str(receipt_number("21", 26, 4217)) == "RCT-21-26-0004217-6"


@pytest.mark.parametrize(
    "text",
    ["INV-21-26-0004217-2", "inv 21 26 0004217 2", "212600042172", "INV-٢١-٢٦-٠٠٠٤٢١٧-٢"],
)
def test_parsing_accepts_spacing_case_arabic_digits_and_no_prefix(text: str) -> None:
    assert parse_invoice_number(text) == invoice_number("21", 26, 4217)


def test_every_single_mistyped_digit_is_caught() -> None:
    written = "212600042172"
    for position in range(len(written)):
        for digit in "0123456789":
            if digit != written[position]:
                typo = written[:position] + digit + written[position + 1 :]
                assert parse_invoice_number(typo) is None, typo


def test_an_invoice_number_is_never_a_tracking_number_nor_a_receipt_number() -> None:
    for sequence in range(1, 2000):
        invoice = invoice_number("21", 26, sequence)
        receipt = receipt_number("21", 26, sequence)
        digits = f"{invoice.body}{invoice.check_digit}"
        assert not is_valid_damm(digits)  # the tracking number check refuses it
        assert parse_receipt_number(digits) is None
        assert parse_receipt_number(str(invoice)) is None
        assert parse_document_number(f"{receipt.body}{receipt.check_digit}") == receipt


def test_a_prefix_that_contradicts_the_check_digit_is_refused() -> None:
    invoice = invoice_number("21", 26, 4217)
    assert parse_document_number("RCT" + invoice.body + str(invoice.check_digit)) is None


def test_the_parts_are_checked() -> None:
    with pytest.raises(ValueError, match="governorate"):
        DocumentNumber(NumberKind.INVOICE, "2", 26, 1)
    with pytest.raises(ValueError, match="sequence"):
        invoice_number("21", 26, 0)
    assert parse_invoice_number("INV-21-26-000421-2") is None
    assert parse_invoice_number("") is None
