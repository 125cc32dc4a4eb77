"""Core statements built once and executed with parameters (batches go as executemany).

Building an ORM statement per row costs more than the database round trip; these
are compiled once per dialect and reused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert, Update

from mahaliyat.db import upsert


def table_of(model: type[Any]) -> Table:
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model!r} is not mapped to a table")
    return table


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


@lru_cache(maxsize=64)
def _insert(table: Table, dialect: str, conflict: tuple[str, ...] | None) -> Insert:
    statement = upsert(dialect, table)
    if conflict is None:
        return statement
    if conflict:
        return statement.on_conflict_do_nothing(index_elements=list(conflict))
    return statement.on_conflict_do_nothing()


@lru_cache(maxsize=64)
def _update_by_id(table: Table) -> Update:
    return update(table).where(table.c.id == bindparam("_id"))


async def insert_rows(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    ignore_conflicts: tuple[str, ...] | None = None,
) -> int:
    """Insert rows; with ``ignore_conflicts`` (the unique columns, () for any) skip duplicates.

    Returns how many were inserted when a single row is given (-1 for batches).
    """
    if not rows:
        return 0
    statement = _insert(table, dialect_of(session), ignore_conflicts)
    if len(rows) == 1:
        result = await session.execute(statement, dict(rows[0]))
        return int(getattr(result, "rowcount", 0) or 0)
    await session.execute(statement, [dict(row) for row in rows])
    return -1


async def update_by_id(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]
) -> None:
    """Write ``columns`` of each row (identified by its ``id``) in one executemany."""
    if rows:
        await session.execute(
            _update_by_id(table),
            [{"_id": row["id"], **{name: row[name] for name in columns}} for row in rows],
        )
