"""Jurisdiction codes (hyphen paths) over the kernel's governorate codes."""

from __future__ import annotations

import re

from mahaliyat.identifiers import GOVERNORATE_CODES

NATION = "EG"

# EG; governorate 21; markaz/city/district 21-03; centres 21-03-F01, 21-H01, 21-M02, 21-L01.
_JURISDICTION = re.compile(r"^(?P<gov>\d{2})(?:-\d{2})?(?:-[FHML]\d{2})?$")


def jurisdiction_problem(code: str) -> str | None:
    """What is wrong with a jurisdiction code (a message code), or None when it is valid."""
    if code == NATION:
        return None
    match = _JURISDICTION.match(code)
    if match is None:
        return "jurisdiction_format"
    if match.group("gov") not in GOVERNORATE_CODES:
        return "unknown_governorate"
    return None
