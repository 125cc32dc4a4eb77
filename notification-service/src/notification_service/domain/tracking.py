"""Finding a tracking number (``GG-YY-NNNNNNN-C``) in what a citizen typed into an SMS.

Twelve digits: governorate, two-digit year, seven-digit sequence and a Damm check
digit over the eleven before it. Citizens type it with or without dashes, spaces,
commas (Arabic ``،`` too) or dots, in Latin or Arabic-Indic digits, with words
around it (``حالة طلب ٢١-٢٦-٠٠٠٤٢١٧-٩ لو سمحت``); phones insert direction marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mahaliyat.checkdigit import damm, is_valid_damm
from mahaliyat.digits import to_ascii_digits

LENGTH = 12
# Direction marks and invisible joiners that phones put around numbers in Arabic text.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200e\u200f\u061c\u200b\u200c\u200d\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\ufeff",
    )
)
# Digit groups joined by what people put between them: spaces, dashes of every kind, dots,
# slashes, and commas: Latin, Arabic (،), full-width, and the Arabic thousands and decimal
# separators (٬ ٫) that Arabic keyboards type between digits.
_SEPARATORS = (
    " \t\u00a0\u2009\u202f"  # spaces: ordinary, tab, no-break, thin, narrow no-break
    "\\-\u2010-\u2015\u2212\u2043\ufe63\uff0d"  # hyphens, dashes and minus signs
    "_./\\\\"  # underscore, dot, slashes
    ",\u060c\uff0c\u066b\u066c"  # commas: Latin, Arabic, full-width; Arabic separators
)
_RUN = re.compile(rf"\d+(?:[{_SEPARATORS}]{{1,3}}\d+)*")
_GROUP = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class TrackingNumber:
    digits: str  # the twelve ASCII digits

    def __post_init__(self) -> None:
        if len(self.digits) != LENGTH or not is_valid_damm(self.digits):
            raise ValueError(f"not a valid tracking number: {self.digits!r}")

    @property
    def governorate(self) -> str:
        return self.digits[:2]

    @property
    def year(self) -> str:
        return self.digits[2:4]

    def __str__(self) -> str:
        d = self.digits
        return f"{d[:2]}-{d[2:4]}-{d[4:11]}-{d[11]}"

    @classmethod
    def build(cls, governorate: str, year: str, sequence: int) -> TrackingNumber:
        """A new number with its check digit (for tests and seed data)."""
        body = f"{governorate:0>2}{year:0>2}{sequence:07d}"
        return cls(body + str(damm(body)))


@dataclass(frozen=True, slots=True)
class Extraction:
    """What was found: a valid number, or whether something looked like one but failed its check."""

    number: TrackingNumber | None
    looked_like_one: bool

    @property
    def found(self) -> bool:
        return self.number is not None


def normalise(text: str) -> str:
    return to_ascii_digits(text).translate(_INVISIBLE)


def extract(text: str) -> Extraction:
    """The first valid tracking number in ``text``.

    Within each run of digit groups, every stretch of consecutive groups holding
    exactly twelve digits is a candidate (so a phone number typed next to it does
    not hide it); the first whose check digit holds wins.
    """
    looked_like_one = False
    for run in _RUN.finditer(normalise(text)):
        groups = _GROUP.findall(run.group(0))
        for first in range(len(groups)):
            digits = ""
            for group in groups[first:]:
                digits += group
                if len(digits) >= LENGTH:
                    break
            if len(digits) != LENGTH:
                continue
            looked_like_one = True
            if is_valid_damm(digits):
                return Extraction(TrackingNumber(digits), True)
        if not looked_like_one and sum(map(len, groups)) >= 8:
            looked_like_one = True  # a long number that is not twelve digits: a typo, surely
    return Extraction(None, looked_like_one)


_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def language_of(text: str) -> str:
    """Arabic when the text has Arabic letters or no letters at all; English for Latin letters."""
    if _ARABIC_LETTER.search(text):
        return "ar"
    return "en" if _LATIN_LETTER.search(text) else "ar"
