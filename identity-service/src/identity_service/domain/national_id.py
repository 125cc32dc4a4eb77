"""Egyptian national ID (الرقم القومي): 14 digits, structure only.

Digit 1 is the century (2 = 1900s, 3 = 2000s), 2–7 the birth date YYMMDD, 8–9
the governorate, 10–13 a sequence (13 odd for men), 14 a check digit whose
algorithm is not published — so it is not checked; the civil registry is the
authority on who a number belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from identity_service.domain.geography import NATIONAL_ID_GOVERNORATES
from mahaliyat.checkdigit import ascii_digits

_CENTURY = {"2": 1900, "3": 2000}


class InvalidNationalId(ValueError):
    def __init__(self, code: str, message_ar: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_ar = message_ar
        self.message_en = message_en


@dataclass(frozen=True, slots=True)
class NationalId:
    number: str
    birth_date: date
    governorate: str


def parse_national_id(value: str, today: date) -> NationalId:
    number = ascii_digits(value.strip())
    if len(number) != 14 or not (number.isascii() and number.isdigit()):
        raise InvalidNationalId(
            "national_id_format",
            "الرقم القومي 14 رقمًا.",
            "A national ID is 14 digits.",
        )
    century = _CENTURY.get(number[0])
    if century is None:
        raise InvalidNationalId(
            "national_id_century",
            "الرقم الأول من الرقم القومي يجب أن يكون 2 أو 3.",
            "A national ID starts with 2 or 3.",
        )
    try:
        born = date(century + int(number[1:3]), int(number[3:5]), int(number[5:7]))
    except ValueError:
        born = None
    if born is None or born > today:
        raise InvalidNationalId(
            "national_id_birth_date",
            "تاريخ الميلاد في الرقم القومي غير صحيح.",
            "The national ID does not hold a real birth date.",
        )
    if number[7:9] not in NATIONAL_ID_GOVERNORATES:
        raise InvalidNationalId(
            "national_id_governorate",
            "كود المحافظة في الرقم القومي غير معروف.",
            "The national ID's governorate code is unknown.",
        )
    return NationalId(number, born, number[7:9])
