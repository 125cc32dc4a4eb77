"""Egyptian national ID (الرقم القومي): 14 digits, structure only.

Digit 1 is the century of birth (2 = 1900s, 3 = 2000s), digits 2–7 the birth date
YYMMDD, 8–9 the governorate code, 10–13 a sequence whose last digit (the 13th) is
odd for a man and even for a woman, 14 a check digit. The check-digit algorithm is
not officially published (shared/domain/egypt.md), so it is not checked: a wrong
last digit passes here, and the civil registry is the authority on whose number
it is.

Codes: ``national_id_format`` (not 14 digits), ``national_id_century`` (not 2 or 3),
``national_id_birth_date`` (not a real date, or after ``today``),
``national_id_governorate`` (not a code of :data:`NATIONAL_ID_GOVERNORATE_CODES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from mahaliyat.identifiers._compact import MAX_TYPED_LENGTH, compact
from mahaliyat.identifiers.errors import InvalidIdentifier
from mahaliyat.identifiers.governorates import NATIONAL_ID_GOVERNORATE_CODES

Sex = Literal["male", "female"]

_CENTURY = {"2": 1900, "3": 2000}
# The last time zone to reach a new day is 14 hours ahead of UTC.
_EARLIEST_ZONE = timedelta(hours=14)


@dataclass(frozen=True, slots=True)
class NationalId:
    number: str  # 14 ASCII digits
    birth_date: date
    governorate_code: str  # two digits; 88 = born abroad
    sex: Sex

    @property
    def last4(self) -> str:
        return self.number[-4:]


def latest_date_anywhere() -> date:
    """Today's date where it is latest on Earth (UTC+14): no one alive was born after it."""
    return (datetime.now(UTC) + _EARLIEST_ZONE).date()


def parse_national_id(text: str, today: date | None = None) -> NationalId:
    """The national ID in ``text`` (Arabic-Indic digits, spaces and dashes allowed).

    The birth date must not be after ``today``: pass the service's local date (from its
    clock). Without it the date is checked against :func:`latest_date_anywhere` only.
    Raises :class:`InvalidIdentifier` with one of the codes above.
    """
    number = compact(text[: MAX_TYPED_LENGTH + 1])
    if len(text) > MAX_TYPED_LENGTH or len(number) != 14 or not _ascii_digits(number):
        raise InvalidIdentifier(
            "national_id_format", "الرقم القومي 14 رقمًا.", "A national ID is 14 digits."
        )
    century = _CENTURY.get(number[0])
    if century is None:
        raise InvalidIdentifier(
            "national_id_century",
            "الرقم الأول من الرقم القومي يجب أن يكون 2 أو 3.",
            "A national ID starts with 2 or 3.",
        )
    try:
        born: date | None = date(century + int(number[1:3]), int(number[3:5]), int(number[5:7]))
    except ValueError:
        born = None
    if born is None or born > (today or latest_date_anywhere()):
        raise InvalidIdentifier(
            "national_id_birth_date",
            "تاريخ الميلاد في الرقم القومي غير صحيح.",
            "The national ID does not hold a real birth date.",
        )
    governorate = number[7:9]
    if governorate not in NATIONAL_ID_GOVERNORATE_CODES:
        raise InvalidIdentifier(
            "national_id_governorate",
            "كود المحافظة في الرقم القومي غير معروف.",
            "The national ID's governorate code is unknown.",
        )
    return NationalId(number, born, governorate, "male" if int(number[12]) % 2 else "female")


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()
