"""The one table of Arabic-Indic digits, and numbers typed with Arabic or Latin separators.

Citizens type ٠-٩ (Arabic-Indic, U+0660–U+0669) or ۰-۹ (Eastern Arabic-Indic, as on
Persian and Urdu keyboards, U+06F0–U+06F9) as often as 0-9. Everything that reads a
digit a person typed goes through :func:`to_ascii_digits`; everything that shows an
Arabic page writes them back with :func:`to_arabic_digits`.

Numbers: :func:`parse_decimal` and :func:`parse_number` accept the thousands
separators ``,`` and ``٬`` (U+066C) and the decimal separators ``.`` and ``٫``
(U+066B), and refuse what could be read two ways (see :func:`parse_decimal`).
"""

from __future__ import annotations

import re
from decimal import Decimal

ASCII_DIGITS = "0123456789"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
EASTERN_ARABIC_INDIC_DIGITS = "۰۱۲۳۴۵۶۷۸۹"

# Both Arabic scripts' digits to ASCII, as a str.translate table (usable inside others:
# ``str.maketrans({**TO_ASCII, ...})``).
TO_ASCII: dict[int, int] = str.maketrans(
    ARABIC_INDIC_DIGITS + EASTERN_ARABIC_INDIC_DIGITS, ASCII_DIGITS * 2
)
TO_ARABIC: dict[int, int] = str.maketrans(ASCII_DIGITS, ARABIC_INDIC_DIGITS)

# The invisible direction marks Arabic keyboards and copy-paste put around numbers:
# LRM, RLM, ALM, the embeddings/overrides and the isolates.
BIDI_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_MARKS}]")

LATIN_SEPARATORS = (",", ".")  # thousands, decimal
ARABIC_SEPARATORS = ("٬", "٫")  # U+066C, U+066B
_MINUS = "-\u2212"  # hyphen-minus, minus sign
_MAX_LENGTH = 64

# Optional sign, digits with well-formed thousands groups (or none), optional decimal part.
_NUMBER = (
    r"(?P<sign>[+{minus}])?"
    r"(?P<int>[0-9]{{1,3}}(?:{group}[0-9]{{3}})+|[0-9]+)?"
    r"(?:{point}(?P<frac>[0-9]*))?"
)
_GRAMMAR = {
    separators: re.compile(
        _NUMBER.format(
            minus=re.escape(_MINUS), group=re.escape(separators[0]), point=re.escape(separators[1])
        )
    )
    for separators in (LATIN_SEPARATORS, ARABIC_SEPARATORS)
}


class InvalidNumber(ValueError):
    """Not a number, or one that could be read two ways; ``code`` is ``not_number``."""

    code = "not_number"

    def __init__(self, text: str) -> None:
        super().__init__(f"not a number: {text[:_MAX_LENGTH]!r}")
        self.text = text


def to_ascii_digits(text: str) -> str:
    """``"٢٠٢٦"`` or ``"۲۰۲۶"`` → ``"2026"``; every other character is left as it is."""
    return text.translate(TO_ASCII)


def to_arabic_digits(text: str) -> str:
    """``"2026"`` → ``"٢٠٢٦"`` (Arabic-Indic, as Egyptian pages write them)."""
    return text.translate(TO_ARABIC)


def parse_decimal(text: str) -> Decimal:
    """A number as people type it, in ASCII or Arabic-Indic digits; raises :class:`InvalidNumber`.

    Accepted: ``1234``, ``1,234.5``, ``١٬٢٣٤٫٥``, ``-3``, ``+0.25``, ``.5``, ``12.``;
    direction marks and surrounding spaces are ignored. Refused as ambiguous or
    malformed: a thousands group that is not three digits (``1,5``, ``12,34``: a
    decimal comma?), Latin and Arabic separators mixed (``1,234٫5``), separators in
    the wrong order (``1.234,5``), more than one decimal separator, exponents,
    underscores, inner spaces, ``NaN`` and ``Infinity``, more than 64 characters.
    """
    compact = to_ascii_digits(_BIDI.sub("", text)).strip()
    latin = any(s in compact for s in LATIN_SEPARATORS)
    arabic = any(s in compact for s in ARABIC_SEPARATORS)
    if not compact or len(compact) > _MAX_LENGTH or (latin and arabic):
        raise InvalidNumber(text)
    separators = ARABIC_SEPARATORS if arabic else LATIN_SEPARATORS
    match = _GRAMMAR[separators].fullmatch(compact)
    if match is None or (match["int"] is None and not match["frac"]):
        raise InvalidNumber(text)
    integer = (match["int"] or "0").replace(separators[0], "")
    sign = "-" if match["sign"] and match["sign"] in _MINUS else ""
    fraction = f".{match['frac']}" if match["frac"] else ""
    return Decimal(sign + integer + fraction)


def parse_number(text: str) -> int | Decimal:
    """:func:`parse_decimal`, as an ``int`` when the value is whole (``"1,000.0"`` → ``1000``)."""
    number = parse_decimal(text)
    return int(number) if number == number.to_integral_value() else number
