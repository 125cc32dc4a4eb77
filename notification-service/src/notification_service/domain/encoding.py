"""SMS encoding (GSM 03.38 7-bit or UCS-2) and segment counting.

GSM-7 when every character is in the basic table or its extension table, else
UCS-2. One GSM-7 message holds 160 septets, a concatenated part 153; an
extension character costs two septets (escape + character) and is never split
across parts. One UCS-2 message holds 70 UTF-16 code units, a part 67; a
character outside the BMP is a surrogate pair and is never split either.
Text is never altered to fit GSM-7.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["gsm7", "ucs2"]

# GSM 03.38 basic character set, in table order (0x1B, the escape, is left out).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# The extension table: each is sent as escape + character, two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_LIMITS: dict[Encoding, int] = {"gsm7": 160, "ucs2": 70}
PART_LIMITS: dict[Encoding, int] = {"gsm7": 153, "ucs2": 67}


class MessageTooLong(ValueError):
    def __init__(self, segments: int, maximum: int) -> None:
        super().__init__(
            f"the message needs {segments} SMS segments; at most {maximum} are allowed"
        )
        self.segments = segments
        self.maximum = maximum


@dataclass(frozen=True, slots=True)
class SmsLayout:
    """How a text travels: its encoding, its length in units, and its parts."""

    encoding: Encoding
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: tuple[str, ...]

    @property
    def segments(self) -> int:
        return len(self.parts)


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def detect_encoding(text: str) -> Encoding:
    return "gsm7" if is_gsm7(text) else "ucs2"


def unit_cost(char: str, encoding: Encoding) -> int:
    if encoding == "gsm7":
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def layout(text: str) -> SmsLayout:
    """Encoding, length and parts of ``text`` (an empty text is one empty segment)."""
    encoding = detect_encoding(text)
    costs = [unit_cost(c, encoding) for c in text]
    units = sum(costs)
    if units <= SINGLE_LIMITS[encoding]:
        return SmsLayout(encoding, units, (text,))
    limit = PART_LIMITS[encoding]
    parts: list[str] = []
    start, used = 0, 0
    for index, cost in enumerate(costs):
        if used + cost > limit:  # a two-unit character moves whole to the next part
            parts.append(text[start:index])
            start, used = index, 0
        used += cost
    parts.append(text[start:])
    return SmsLayout(encoding, units, tuple(parts))


def segment_count(text: str) -> int:
    return layout(text).segments


def checked_layout(text: str, max_segments: int) -> SmsLayout:
    """The layout of ``text``, refused with :class:`MessageTooLong` beyond ``max_segments``."""
    result = layout(text)
    if result.segments > max_segments:
        raise MessageTooLong(result.segments, max_segments)
    return result
