"""Egyptian national IDs and mobile numbers: structure checks and normal forms.

The national-ID check digit is not officially published, so only the structure
is checked (century, real birth date, known governorate), as egypt.md advises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from mahaliyat.checkdigit import ascii_digits

# The 27 governorates by their national-ID code (egypt.md); 88 = born abroad (IDs only).
GOVERNORATES = frozenset(
    {
        "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17", "18", "19",
        "21", "22", "23", "24", "25", "26", "27", "28", "29", "31", "32", "33", "34", "35",
    }
)  # fmt: skip
NATIONAL_ID_GOVERNORATES = GOVERNORATES | {"88"}

_CENTURY = {"2": 1900, "3": 2000}
_MOBILE = re.compile(r"^(?:\+20|0020|20|0)?(1[0125]\d{8})$")
_SEPARATORS = re.compile(r"[\s\-().\u200e\u200f]")


class InvalidNationalId(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class NationalId:
    number: str  # 14 ASCII digits
    birth_date: date
    governorate: str

    @property
    def last4(self) -> str:
        return self.number[-4:]


def parse_national_id(value: str, today: date | None = None) -> NationalId:
    """Raise :class:`InvalidNationalId` with ``national_id.format|century|birth_date|governorate``."""
    number = _SEPARATORS.sub("", ascii_digits(value.strip()))
    if len(number) != 14 or not number.isascii() or not number.isdigit():
        raise InvalidNationalId("national_id.format")
    century = _CENTURY.get(number[0])
    if century is None:
        raise InvalidNationalId("national_id.century")
    try:
        born = date(century + int(number[1:3]), int(number[3:5]), int(number[5:7]))
    except ValueError:
        raise InvalidNationalId("national_id.birth_date") from None
    if today is not None and born > today:
        raise InvalidNationalId("national_id.birth_date")
    if number[7:9] not in NATIONAL_ID_GOVERNORATES:
        raise InvalidNationalId("national_id.governorate")
    return NationalId(number, born, number[7:9])


def normalise_mobile(value: str) -> str | None:
    """An Egyptian mobile number in E.164 (``+201xxxxxxxxx``), or None if it is not one."""
    compact = _SEPARATORS.sub("", ascii_digits(value))
    match = _MOBILE.match(compact)
    return f"+20{match.group(1)}" if match else None


def last4_digits(value: str) -> str | None:
    """Four digits typed by a citizen (Arabic-Indic accepted), or None."""
    digits = _SEPARATORS.sub("", ascii_digits(value.strip()))
    return digits if len(digits) == 4 and digits.isascii() and digits.isdigit() else None
