"""Egyptian mobile numbers: 01[0125] and 8 digits, stored as E.164 (+201…)."""

from __future__ import annotations

import re

from mahaliyat.checkdigit import ascii_digits

_MOBILE = re.compile(r"^(?:\+20|0020|0)(1[0125]\d{8})$")
# Spaces (including no-break), dashes, dots, brackets and the invisible direction marks
# that Arabic keyboards insert around numbers.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015().\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class InvalidPhone(ValueError):
    code = "phone_format"
    message_ar = "رقم المحمول غير صحيح؛ اكتبه مثل 01012345678."
    message_en = "Not an Egyptian mobile number; write it like 01012345678."


def normalise_mobile(value: str) -> str:
    """``01012345678``, ``+20 101 234 5678``, ``0020-10…`` or ``٠١٠…`` → ``+201012345678``."""
    compact = _SEPARATORS.sub("", ascii_digits(value))
    match = _MOBILE.match(compact)
    if match is None:
        raise InvalidPhone(value)
    return "+20" + match.group(1)


def mask_phone(phone: str) -> str:
    """All but the last two digits hidden, for audit details."""
    return "*" * (len(phone) - 2) + phone[-2:]
