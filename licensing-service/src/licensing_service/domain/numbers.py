"""Permit and licence numbers: ``PRM-GG-YY-NNNNNNN-C`` and ``LIC-GG-YY-NNNNNNN-C``.

The shape of the platform's other human-facing numbers (governorate, two-digit year,
seven-digit sequence, Damm check digit), with a kind digit in front of the body as
payment-service's invoice (7) and receipt (8) numbers have; tracking numbers have none.
Permits take 3 and licences 4: every kind starts Damm from a different state, so the same
eleven digits check as at most one kind, and a licence number typed without its prefix is
never taken for a tracking, invoice or receipt number. The prefixes are not the catalogue's
service codes (``BLD-001``, ``SHP-004``), so a number is never read as a service either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from mahaliyat.checkdigit import damm
from mahaliyat.digits import to_ascii_digits

MAX_SEQUENCE = 9_999_999
_NOISE = re.compile(r"[\s\-_/.\u200e\u200f\u2010-\u2015]")


class CertificateKind(StrEnum):
    BUILDING_PERMIT = "PRM"
    SHOP_LICENCE = "LIC"


_KIND_DIGIT = {CertificateKind.BUILDING_PERMIT: "3", CertificateKind.SHOP_LICENCE: "4"}


@dataclass(frozen=True, slots=True, order=True)
class LicenceNumber:
    kind: CertificateKind
    governorate: str  # two digits
    year: int  # 0-99
    sequence: int  # 1 … 9,999,999

    def __post_init__(self) -> None:
        g = self.governorate
        if not (len(g) == 2 and g.isascii() and g.isdigit()):
            raise ValueError("governorate must be two digits")
        if not 0 <= self.year <= 99:
            raise ValueError("year must have two digits")
        if not 1 <= self.sequence <= MAX_SEQUENCE:
            raise ValueError("sequence out of range")

    @property
    def body(self) -> str:
        return f"{self.governorate}{self.year:02d}{self.sequence:07d}"

    @property
    def check_digit(self) -> int:
        return damm(_KIND_DIGIT[self.kind] + self.body)

    def __str__(self) -> str:
        return (
            f"{self.kind.value}-{self.governorate}-{self.year:02d}-"
            f"{self.sequence:07d}-{self.check_digit}"
        )


def permit_number(governorate: str, year: int, sequence: int) -> LicenceNumber:
    """``year`` may be given in full (2026) or as two digits (26)."""
    return LicenceNumber(CertificateKind.BUILDING_PERMIT, governorate, year % 100, sequence)


def licence_number(governorate: str, year: int, sequence: int) -> LicenceNumber:
    return LicenceNumber(CertificateKind.SHOP_LICENCE, governorate, year % 100, sequence)


def parse_licence_number(text: str, kind: CertificateKind | None = None) -> LicenceNumber | None:
    """The permit or licence number written in ``text`` (of ``kind`` when given), or None.

    Accepts Arabic-Indic digits, any spacing or dashes, any letter case, and the prefix left
    out (the check digit then says which kind it is); a written prefix must agree with it.
    """
    cleaned = _NOISE.sub("", to_ascii_digits(text.strip())).upper()
    written: CertificateKind | None = None
    for candidate in CertificateKind:
        if cleaned.startswith(candidate.value):
            written, cleaned = candidate, cleaned[len(candidate.value) :]
            break
    if kind is not None and written is not None and kind is not written:
        return None
    if len(cleaned) != 12 or not (cleaned.isascii() and cleaned.isdigit()):
        return None
    wanted = kind or written
    for candidate in CertificateKind:
        if wanted is not None and candidate is not wanted:
            continue
        if damm(_KIND_DIGIT[candidate] + cleaned) == 0:
            try:
                return LicenceNumber(candidate, cleaned[:2], int(cleaned[2:4]), int(cleaned[4:11]))
            except ValueError:
                return None
    return None
