"""Queries, one module per table group; endpoints and services never build SQL themselves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Result


def rows_changed(result: Result[Any]) -> int:
    """Rows an UPDATE or INSERT … ON CONFLICT DO NOTHING touched."""
    return int(getattr(result, "rowcount", 0) or 0)
