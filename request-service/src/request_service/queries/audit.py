"""The audit log and its head row."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from request_service.models import AuditEntry, AuditHead

HEAD_ID = 1


def reserve_sync(session: Session, count: int) -> tuple[int, str]:
    """Lock the head and reserve ``count`` positions: (first seq, hash before it).

    One ``UPDATE … RETURNING``: the row lock serialises appends until the transaction
    ends (on SQLite the transaction already holds the write lock). Synchronous: it
    runs in the session's before-commit hook. The migration creates the head row;
    it is created here too should it be missing.
    """
    reserve = (
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(seq=AuditHead.seq + count)
        .returning(AuditHead.seq, AuditHead.hash)
    )
    row = session.execute(reserve).one_or_none()
    if row is None:
        dialect = session.get_bind().dialect.name
        insert_head = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(AuditHead)
        session.execute(
            insert_head.values(id=HEAD_ID, seq=0, hash="0" * 64).on_conflict_do_nothing()
        )
        row = session.execute(reserve).one()
    return int(row.seq) - count + 1, str(row.hash)


def write_sync(session: Session, entries: Sequence[AuditEntry], last_hash: str) -> None:
    """Insert the linked entries and move the head's hash (one statement on PostgreSQL)."""
    columns = [column.key for column in AuditEntry.__table__.columns]
    rows = [{key: getattr(entry, key) for key in columns} for entry in entries]
    move = update(AuditHead).where(AuditHead.id == HEAD_ID).values(hash=last_hash)
    if session.get_bind().dialect.name == "postgresql":
        written = insert(AuditEntry).values(rows).cte("written")
        session.execute(move.add_cte(written))
    else:
        session.execute(insert(AuditEntry), rows)
        session.execute(move)


async def head(session: AsyncSession) -> AuditHead | None:
    return await session.scalar(
        select(AuditHead).where(AuditHead.id == HEAD_ID).execution_options(populate_existing=True)
    )


async def in_order(session: AsyncSession, batch: int = 1000) -> AsyncIterator[Sequence[AuditEntry]]:
    """Every entry by ``seq``, a batch at a time."""
    after = 0
    while True:
        rows = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.seq > after)
                .order_by(AuditEntry.seq)
                .limit(batch)
                .execution_options(populate_existing=True)
            )
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1].seq


async def of_application(session: AsyncSession, application_id: uuid.UUID) -> Sequence[AuditEntry]:
    result = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.application_id == application_id)
        .order_by(AuditEntry.seq)
    )
    return result.all()
