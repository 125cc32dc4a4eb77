"""A new filing's rows: the application, its documents, the first timeline entry and the audit entry.

On PostgreSQL they are written by one statement (data-modifying CTEs, built once
per number of documents): one round trip instead of four. SQLite has no INSERT
in a CTE; there the session writes them at the commit flush.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Insert, Table, bindparam, insert
from sqlalchemy.ext.asyncio import AsyncSession

from request_service.models import Application, AuditEntry, Document, RequestBase, StateChange
from request_service.queries import is_postgres

_TABLES: dict[str, Table] = {
    "a": Application.__table__,  # type: ignore[dict-item]
    "s": StateChange.__table__,  # type: ignore[dict-item]
    "u": AuditEntry.__table__,  # type: ignore[dict-item]
}
_DOCUMENTS: Table = Document.__table__  # type: ignore[assignment]
_STATEMENTS: dict[int, Insert] = {}


def _insert(table: Table, prefix: str) -> Insert:
    return insert(table).values(
        {c.key: bindparam(f"{prefix}_{c.key}", type_=c.type) for c in table.columns}
    )


def _statement(documents: int) -> Insert:
    statement = _STATEMENTS.get(documents)
    if statement is None:
        ctes = [_insert(_TABLES["a"], "a").cte("new_application")]
        ctes += [_insert(_DOCUMENTS, f"d{n}").cte(f"new_document_{n}") for n in range(documents)]
        ctes.append(_insert(_TABLES["s"], "s").cte("new_state_change"))
        statement = _STATEMENTS[documents] = _insert(_TABLES["u"], "u").add_cte(*ctes)
    return statement


def _parameters(prefix: str, row: RequestBase, into: dict[str, Any]) -> None:
    for column in row.__table__.columns:
        into[f"{prefix}_{column.key}"] = getattr(row, column.key)


async def add(
    session: AsyncSession,
    application: Application,
    documents: Sequence[Document],
    change: StateChange,
    audit_entry: AuditEntry,
) -> None:
    """Write the rows of a new filing in the session's transaction (every column set by the caller)."""
    if not is_postgres(session):
        session.add_all([application, *documents, change, audit_entry])
        return
    parameters: dict[str, Any] = {}
    _parameters("a", application, parameters)
    for n, document in enumerate(documents):
        _parameters(f"d{n}", document, parameters)
    _parameters("s", change, parameters)
    _parameters("u", audit_entry, parameters)
    await session.execute(_statement(len(documents)), parameters)
