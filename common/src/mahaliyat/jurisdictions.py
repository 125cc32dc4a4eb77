"""Jurisdiction codes: hyphen paths from the nation down to a centre (``EG``, ``21``,
``21-03``, ``21-03-F01``). Pure, so any ``domain/`` may use it; ``mahaliyat.auth``
builds its grants on it."""

from __future__ import annotations

NATION = "EG"


def covers(outer: str, inner: str) -> bool:
    """Whether jurisdiction ``outer`` includes ``inner`` (``EG`` includes everything)."""
    return outer in (NATION, inner) or inner.startswith(outer + "-")
