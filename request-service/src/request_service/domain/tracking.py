"""Tracking numbers ``GG-YY-NNNNNNN-C``: governorate, two-digit year, sequence, Damm check digit.

People type them into SMS and web forms, so parsing accepts Arabic-Indic digits
and any spacing or dashes, and the check digit catches every single mistyped
digit and every swap of two neighbours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mahaliyat.checkdigit import damm, is_valid_damm
from mahaliyat.digits import to_ascii_digits

MAX_SEQUENCE = 9_999_999
# Each governorate's year is split into SHARDS interleaved counters (queries/counters.py):
# shard s gives out s+1, s+1+SHARDS, s+1+2*SHARDS, ... so shards never share a number.
SHARDS = 64
_NOISE = re.compile(r"[\s\-_/.\u200e\u200f\u2010-\u2015]")


@dataclass(frozen=True, slots=True, order=True)
class TrackingNumber:
    governorate: str  # two digits
    year: int  # 0-99
    sequence: int  # 1 … 9,999,999

    def __post_init__(self) -> None:
        if not (len(self.governorate) == 2 and self.governorate.isascii()):
            raise ValueError("governorate must be two digits")
        if not self.governorate.isdigit():
            raise ValueError("governorate must be two digits")
        if not 0 <= self.year <= 99:
            raise ValueError("year must have two digits")
        if not 1 <= self.sequence <= MAX_SEQUENCE:
            raise ValueError("sequence out of range")

    @property
    def body(self) -> str:
        """The 11 digits the check digit is computed over."""
        return f"{self.governorate}{self.year:02d}{self.sequence:07d}"

    @property
    def check_digit(self) -> int:
        return damm(self.body)

    def __str__(self) -> str:
        return f"{self.governorate}-{self.year:02d}-{self.sequence:07d}-{self.check_digit}"


def sharded_sequence(shard: int, nth: int) -> int:
    """The sequence of the ``nth`` number (1, 2, ...) given out by ``shard``."""
    if not (0 <= shard < SHARDS and nth >= 1):
        raise ValueError("no such shard or count")
    return (nth - 1) * SHARDS + shard + 1


def parse_tracking_number(text: str) -> TrackingNumber | None:
    """The tracking number written in ``text``, or None when it is not a valid one.

    ``"21-26-0004217-3"``, ``"212600042173"`` and ``"٢١ ٢٦ ٠٠٠٤٢١٧ ٣"`` are the same number.
    """
    digits = _NOISE.sub("", to_ascii_digits(text.strip()))
    if len(digits) != 12 or not is_valid_damm(digits):
        return None
    try:
        number = TrackingNumber(digits[:2], int(digits[2:4]), int(digits[4:11]))
    except ValueError:
        return None
    return number
