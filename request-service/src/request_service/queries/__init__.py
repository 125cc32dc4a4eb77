"""Queries, one module per table; endpoints and services never build SQL themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from mahaliyat.auth import NATION

# What a Core read runs on: the request's session, or a read-only connection (api.deps).
Reader = AsyncSession | AsyncConnection


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def within(column: Any, jurisdictions: Iterable[str]) -> ColumnElement[bool]:
    """Rows whose jurisdiction is one of ``jurisdictions`` or under one of them."""
    clauses: list[ColumnElement[bool]] = []
    for code in jurisdictions:
        if code == NATION:
            return true()
        clauses.append(or_(column == code, column.like(code + "-%")))
    return or_(*clauses) if clauses else false()
