"""Structure checks for Egyptian national IDs and mobile numbers.

Kept apart from the catalogue rules: they hold no catalogue knowledge and may
move to the shared kernel. The national-ID check digit is not officially
published, so only the structure is checked (century, real date, governorate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)

# The governorate codes of the national ID (egypt.md); 88 = born abroad.
NATIONAL_ID_GOVERNORATES = frozenset(
    {
        "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17", "18", "19",
        "21", "22", "23", "24", "25", "26", "27", "28", "29", "31", "32", "33", "34", "35",
        "88",
    }
)  # fmt: skip

_CENTURY = {"2": 1900, "3": 2000}
_MOBILE = re.compile(r"^(?:\+20|0020|20|0)(1[0125]\d{8})$")
_SEPARATORS = re.compile(r"[\s\-().\u200e\u200f]")


def ascii_digits(text: str) -> str:
    """Arabic-Indic (٠-٩) and Persian (۰-۹) digits to ASCII; other characters unchanged."""
    return text.translate(_DIGITS)


class InvalidNationalId(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class NationalId:
    number: str  # 14 ASCII digits
    birth_date: date
    governorate_code: str
    sex: str  # "male" | "female"


def parse_national_id(value: str, today: date | None = None) -> NationalId:
    """Parse a national ID; raise InvalidNationalId with a message code.

    Codes: ``national_id.format`` (not 14 digits), ``national_id.century``,
    ``national_id.birth_date`` (not a real date, or after ``today`` when given),
    ``national_id.governorate``.
    """
    number = ascii_digits(value.strip())
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
    governorate = number[7:9]
    if governorate not in NATIONAL_ID_GOVERNORATES:
        raise InvalidNationalId("national_id.governorate")
    sex = "male" if int(number[12]) % 2 else "female"
    return NationalId(number, born, governorate, sex)


def national_id_problem(value: str, today: date | None = None) -> str | None:
    """The message code of what is wrong with ``value``, or None when it is well formed."""
    try:
        parse_national_id(value, today)
    except InvalidNationalId as exc:
        return exc.code
    return None


def normalise_mobile(value: str) -> str | None:
    """An Egyptian mobile number in E.164 (``+201xxxxxxxxx``), or None if it is not one.

    Accepts ``01xxxxxxxxx``, ``+201…``, ``00201…``, ``201…``, separators and
    Arabic-Indic digits.
    """
    compact = _SEPARATORS.sub("", ascii_digits(value))
    match = _MOBILE.match(compact)
    return f"+20{match.group(1)}" if match else None
