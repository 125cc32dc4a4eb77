"""Egyptian mobile numbers, read with ``phonenumbers`` and kept in E.164 (``+201XXXXXXXXX``).

Accepted as typed: ``01xxxxxxxxx``, ``+201xxxxxxxxx``, ``00201xxxxxxxxx``,
``201xxxxxxxxx`` (how SMS gateways report senders) and ``1xxxxxxxxx``, with spaces,
dashes, dots, brackets or direction marks, in Latin or Arabic-Indic digits. A mobile
number is 1 followed by 0, 1, 2 or 5 and eight more digits (+20 10/11/12/15,
shared/domain/egypt.md). Landlines, other countries and ``+20 0…`` are refused with
the code ``mobile_format``.
"""

from __future__ import annotations

import re

import phonenumbers

from mahaliyat.identifiers._compact import MAX_TYPED_LENGTH, compact
from mahaliyat.identifiers.errors import InvalidIdentifier

MOBILE_PREFIXES = ("10", "11", "12", "15")  # after +20
# The national part, with its optional prefix: +20, 0020, 20 or the trunk 0.
_TYPED = re.compile(r"(?:\+20|0020|20|0)?(?P<national>1[0125][0-9]{8})")


def _refused() -> InvalidIdentifier:
    return InvalidIdentifier(
        "mobile_format",
        "رقم المحمول غير صحيح؛ اكتبه مثل 01012345678.",
        "Not an Egyptian mobile number; write it like 01012345678.",
    )


def parse_mobile(text: str) -> str:
    """The E.164 form of an Egyptian mobile number; raises :class:`InvalidIdentifier`."""
    if len(text) > MAX_TYPED_LENGTH:
        raise _refused()
    match = _TYPED.fullmatch(compact(text))
    if match is None:
        raise _refused()
    try:
        number = phonenumbers.parse("+20" + match["national"], None)
    except phonenumbers.NumberParseException:
        raise _refused() from None
    if phonenumbers.number_type(number) is not phonenumbers.PhoneNumberType.MOBILE:
        raise _refused()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(text: str) -> bool:
    """Whether :func:`parse_mobile` accepts ``text``."""
    try:
        parse_mobile(text)
    except InvalidIdentifier:
        return False
    return True


def same_mobile(a: str, b: str) -> bool:
    """Whether two spellings name the same mobile (False when either is not one)."""
    try:
        return parse_mobile(a) == parse_mobile(b)
    except InvalidIdentifier:
        return False


def national_form(e164: str) -> str:
    """``+201012345678`` → ``01012345678``, as typed in Egypt."""
    return "0" + e164.removeprefix("+20")


def mask_mobile(e164: str) -> str:
    """All but the last two characters hidden: ``+201012345678`` → ``***********78``."""
    return "*" * (len(e164) - 2) + e164[-2:]
