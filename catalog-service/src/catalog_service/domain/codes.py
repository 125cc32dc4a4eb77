"""The jurisdiction and centre code scheme.

governorate ``21``; subdivision ``21-03``; fixed centre ``21-03-F01``;
governorate-HQ centre ``21-H01``; mobile centre ``21-M02``; licensing centre
``21-03-L01`` or ``21-L01``. A code covers another when it is ``EG``, equal, or a
hyphen-prefix of it — the same rule the kernel uses for staff jurisdictions.
"""

from __future__ import annotations

import re

NATION = "EG"

_GOVERNORATE = re.compile(r"^\d{2}$")
_SUBDIVISION = re.compile(r"^\d{2}-\d{2}$")
_CENTRE = re.compile(r"^\d{2}(-\d{2})?-[FHML]\d{2}$")


def covers(scope: str, code: str) -> bool:
    """True when a principal scoped to ``scope`` may see ``code``."""
    return scope in (NATION, code) or code.startswith(scope + "-")


def governorate_of(code: str) -> str:
    """The governorate part of any subdivision or centre code."""
    head = code.split("-", 1)[0]
    if not _GOVERNORATE.match(head):
        raise ValueError(f"not a governorate-based code: {code!r}")
    return head


def is_governorate_code(code: str) -> bool:
    return bool(_GOVERNORATE.match(code))


def is_subdivision_code(code: str) -> bool:
    return bool(_SUBDIVISION.match(code))


def is_centre_code(code: str) -> bool:
    return bool(_CENTRE.match(code))


def _seq(n: int) -> str:
    if not 1 <= n <= 99:
        raise ValueError(f"sequence out of range 1..99: {n}")
    return f"{n:02d}"


def subdivision_code(governorate: str, seq: int) -> str:
    return f"{governorate}-{_seq(seq)}"


def fixed_centre_code(subdivision: str, seq: int) -> str:
    return f"{subdivision}-F{_seq(seq)}"


def hq_centre_code(governorate: str) -> str:
    return f"{governorate}-H01"


def mobile_centre_code(governorate: str, seq: int) -> str:
    return f"{governorate}-M{_seq(seq)}"


def licensing_centre_code(parent: str, seq: int) -> str:
    """``parent`` is a governorate or a subdivision code."""
    return f"{parent}-L{_seq(seq)}"
