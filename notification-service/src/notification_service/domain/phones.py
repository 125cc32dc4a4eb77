"""Egyptian mobile numbers to E.164 (``+201XXXXXXXXX``).

Accepted as typed: ``01xxxxxxxxx``, ``+201xxxxxxxxx``, ``00201xxxxxxxxx``,
``201xxxxxxxxx`` (how SMS gateways report senders), with spaces or dashes, in
Latin or Arabic-Indic digits. Mobile means 1 followed by 0, 1, 2 or 5 and eight
more digits.
"""

from __future__ import annotations

import re

import phonenumbers

from mahaliyat.checkdigit import ascii_digits

_NOISE = re.compile(r"[\s\-().\u200e\u200f\u061c\u2066-\u2069\u202a-\u202e]")
_MOBILE = re.compile(r"1[0125]\d{8}\Z")


class InvalidPhone(ValueError):
    def __init__(self, raw: str) -> None:
        super().__init__("not an Egyptian mobile number")
        self.raw = raw


def normalise_mobile(raw: str) -> str:
    """The E.164 form of an Egyptian mobile number; raises :class:`InvalidPhone`."""
    text = _NOISE.sub("", ascii_digits(raw))
    if text.startswith("00"):
        text = "+" + text[2:]
    elif re.fullmatch(r"201\d{9}", text):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "EG")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(raw) from exc
    national = str(number.national_number)
    if number.country_code != 20 or not _MOBILE.match(national):
        raise InvalidPhone(raw)
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_same_mobile(a: str, b: str) -> bool:
    """Whether two spellings name the same mobile (False when either is not one)."""
    try:
        return normalise_mobile(a) == normalise_mobile(b)
    except InvalidPhone:
        return False


def national_form(e164: str) -> str:
    """``+201012345678`` → ``01012345678``."""
    return "0" + e164.removeprefix("+20")
