"""Queries, one module per table; endpoints and services never build SQL themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from mahaliyat.auth import NATION

# What a Core read runs on: the request's session, or a read-only connection (api.deps).
Reader = AsyncSession | AsyncConnection


def upsert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that supports ``on_conflict_*`` on both backends."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


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
