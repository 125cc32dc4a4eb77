"""Invoice and receipt numbers: ``INV-GG-YY-NNNNNNN-C`` and ``RCT-GG-YY-NNNNNNN-C``.

The same shape as tracking numbers (request-service ``domain/tracking.py``: governorate,
two-digit year, seven-digit sequence, Damm check digit), with a prefix, and a check digit
computed over a *kind digit* in front of the body (7 for invoices, 8 for receipts; tracking
numbers have none). Damm's table has a permutation in every column, so different starting
states never meet: for the same eleven digits, a tracking number, an invoice number and a
receipt number have three different check digits. Even typed without its prefix, a number
checks as at most one kind, so an invoice number is never taken for a tracking number.

Parsing accepts Arabic-Indic digits, any spacing or dashes, any letter case, and the
prefix omitted (the check digit then says which kind it is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from mahaliyat.checkdigit import damm
from mahaliyat.digits import to_ascii_digits

MAX_SEQUENCE = 9_999_999
_NOISE = re.compile(r"[\s\-_/.\u200e\u200f\u2010-\u2015]")


class NumberKind(StrEnum):
    INVOICE = "INV"
    RECEIPT = "RCT"


_KIND_DIGIT = {NumberKind.INVOICE: "7", NumberKind.RECEIPT: "8"}


@dataclass(frozen=True, slots=True, order=True)
class DocumentNumber:
    kind: NumberKind
    governorate: str  # two digits
    year: int  # 0-99
    sequence: int  # 1 … 9,999,999

    def __post_init__(self) -> None:
        if not (
            len(self.governorate) == 2 and self.governorate.isascii() and self.governorate.isdigit()
        ):
            raise ValueError("governorate must be two digits")
        if not 0 <= self.year <= 99:
            raise ValueError("year must have two digits")
        if not 1 <= self.sequence <= MAX_SEQUENCE:
            raise ValueError("sequence out of range")

    @property
    def body(self) -> str:
        """The 11 digits shown before the check digit."""
        return f"{self.governorate}{self.year:02d}{self.sequence:07d}"

    @property
    def check_digit(self) -> int:
        return damm(_KIND_DIGIT[self.kind] + self.body)

    def __str__(self) -> str:
        return (
            f"{self.kind.value}-{self.governorate}-{self.year:02d}-"
            f"{self.sequence:07d}-{self.check_digit}"
        )


def invoice_number(governorate: str, year: int, sequence: int) -> DocumentNumber:
    """``year`` may be given in full (2026) or as two digits (26)."""
    return DocumentNumber(NumberKind.INVOICE, governorate, year % 100, sequence)


def receipt_number(governorate: str, year: int, sequence: int) -> DocumentNumber:
    return DocumentNumber(NumberKind.RECEIPT, governorate, year % 100, sequence)


def parse_document_number(text: str, kind: NumberKind | None = None) -> DocumentNumber | None:
    """The invoice or receipt number written in ``text`` (of ``kind`` when given), or None.

    ``"INV-21-26-0004217-5"``, ``"inv 212600042175"`` and ``"٢١٢٦٠٠٠٤٢١٧٥"`` are the same
    number. A prefix, when written, must agree with the check digit.
    """
    cleaned = _NOISE.sub("", to_ascii_digits(text.strip())).upper()
    written: NumberKind | None = None
    for candidate in NumberKind:
        if cleaned.startswith(candidate.value):
            written, cleaned = candidate, cleaned[len(candidate.value) :]
            break
    if len(cleaned) != 12 or not (cleaned.isascii() and cleaned.isdigit()):
        return None
    wanted = [k for k in NumberKind if k in {kind, written} or (kind is None and written is None)]
    if kind is not None and written is not None and kind is not written:
        return None
    for candidate in wanted:
        if damm(_KIND_DIGIT[candidate] + cleaned) == 0:
            try:
                return DocumentNumber(candidate, cleaned[:2], int(cleaned[2:4]), int(cleaned[4:11]))
            except ValueError:
                return None
    return None


def parse_invoice_number(text: str) -> DocumentNumber | None:
    return parse_document_number(text, NumberKind.INVOICE)


def parse_receipt_number(text: str) -> DocumentNumber | None:
    return parse_document_number(text, NumberKind.RECEIPT)
