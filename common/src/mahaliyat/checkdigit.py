"""Check digits for human-facing numbers (tracking, licence, receipt).

The Damm algorithm catches every single-digit error and every adjacent
transposition, the two mistakes people make when typing a number into an SMS.
"""

from __future__ import annotations

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm(digits: str) -> int:
    """The Damm check digit of a string of ASCII digits."""
    interim = 0
    for char in digits:
        if not "0" <= char <= "9":
            raise ValueError("digits only")
        interim = _DAMM[interim][ord(char) - 48]
    return interim


def is_valid_damm(digits_with_check: str) -> bool:
    """Whether the last digit is the Damm check digit of the others."""
    return (
        len(digits_with_check) >= 2
        and digits_with_check.isascii()
        and digits_with_check.isdigit()
        and damm(digits_with_check) == 0
    )
