"""What people put inside numbers they type: digits of three scripts and visual separators."""

from __future__ import annotations

import re

from mahaliyat.digits import BIDI_MARKS, to_ascii_digits

MAX_TYPED_LENGTH = 64  # longer input is refused before any pattern runs on it

# Spaces of every kind, hyphens and dashes (U+2010–U+2015, minus U+2212), dots,
# brackets, and the invisible direction marks around numbers in Arabic text.
_NOISE = re.compile(rf"[\s\-\u2010-\u2015\u2212().{BIDI_MARKS}]")


def compact(text: str) -> str:
    """``"٠١٠ ١٢٣٤-٥٦٧٨"`` → ``"01012345678"``: digits made ASCII, separators dropped."""
    return _NOISE.sub("", to_ascii_digits(text))
