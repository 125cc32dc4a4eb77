"""The audit log, its head row and the sealer's lock."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import upsert
from request_service.domain.audit import GENESIS
from request_service.models import AuditCheckpoint, AuditEntry, AuditHead
from request_service.queries import is_postgres

HEAD_ID = 1
# pg_advisory_xact_lock key of the sealer: one sealing transaction at a time across replicas.
SEALER_LOCK = int.from_bytes(
    hashlib.sha256(b"mahaliyat.request.audit-sealer").digest()[:8], "big", signed=True
)

_LOG: Table = AuditEntry.__table__  # type: ignore[assignment]
_HEAD: Table = AuditHead.__table__  # type: ignore[assignment]
_CHECKPOINTS: Table = AuditCheckpoint.__table__  # type: ignore[assignment]


def add(session: AsyncSession, entry: AuditEntry) -> None:
    session.add(entry)


async def take_sealer_lock(session: AsyncSession, *, wait: bool) -> bool:
    """The sealer's transaction-scoped advisory lock on PostgreSQL; False when another holds it.

    SQLite needs none: its transactions are ``BEGIN IMMEDIATE`` (one writer at a time).
    """
    if not is_postgres(session):
        return True
    if wait:
        await session.execute(select(func.pg_advisory_xact_lock(SEALER_LOCK)))
        return True
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(SEALER_LOCK))))


async def lock_head(session: AsyncSession) -> tuple[int, str]:
    """(last sealed seq, its hash), the head row locked until the transaction ends.

    The migration creates the row; it is created here too should it be missing.
    """
    query = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
    row = (await session.execute(query)).one_or_none()
    if row is None:
        await session.execute(
            upsert(session, _HEAD).values(id=HEAD_ID, seq=0, hash=GENESIS).on_conflict_do_nothing()
        )
        row = (await session.execute(query)).one()
    return int(row.seq), str(row.hash)


async def unsealed(session: AsyncSession, limit: int) -> Sequence[Row[Any]]:
    """Committed entries not sealed yet, oldest first (by ``at``, then ``id``)."""
    result = await session.execute(
        select(_LOG).where(_LOG.c.seq.is_(None)).order_by(_LOG.c.at, _LOG.c.id).limit(limit)
    )
    return result.all()


_SEAL = (
    update(_LOG)
    .where(_LOG.c.id == bindparam("b_id"), _LOG.c.seq.is_(None))
    .values(seq=bindparam("b_seq"), prev_hash=bindparam("b_prev"), hash=bindparam("b_hash"))
)


@dataclass(frozen=True, slots=True)
class Link:
    id: uuid.UUID
    seq: int
    prev_hash: str
    hash: str


async def seal(session: AsyncSession, links: Sequence[Link]) -> None:
    """Write the links (one statement, many parameter sets) and move the head to the last."""
    if not links:
        return
    await session.execute(
        _SEAL,
        [{"b_id": k.id, "b_seq": k.seq, "b_prev": k.prev_hash, "b_hash": k.hash} for k in links],
    )
    last = links[-1]
    await session.execute(
        update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(seq=last.seq, hash=last.hash)
    )


async def head(session: AsyncSession) -> tuple[int, str]:
    row = (
        await session.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID))
    ).one_or_none()
    return (0, GENESIS) if row is None else (int(row.seq), str(row.hash))


async def sealed_in_order(
    session: AsyncSession, batch: int = 1000
) -> AsyncIterator[Sequence[Row[Any]]]:
    """Every sealed entry by ``seq``, a batch at a time."""
    after = 0
    while True:
        rows = (
            await session.execute(
                select(_LOG).where(_LOG.c.seq > after).order_by(_LOG.c.seq).limit(batch)
            )
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1].seq


@dataclass(frozen=True, slots=True)
class Pending:
    count: int
    oldest_at: datetime | None
    stale: int
    first_stale: Row[Any] | None


async def pending(session: AsyncSession, stale_before: datetime) -> Pending:
    """How many entries wait to be sealed, and those written before ``stale_before``."""
    waiting = _LOG.c.seq.is_(None)
    count, oldest = (
        await session.execute(select(func.count(), func.min(_LOG.c.at)).where(waiting))
    ).one()
    stale = int(
        await session.scalar(
            select(func.count()).select_from(_LOG).where(waiting, _LOG.c.at < stale_before)
        )
        or 0
    )
    first = None
    if stale:
        first = (
            await session.execute(
                select(_LOG)
                .where(waiting, _LOG.c.at < stale_before)
                .order_by(_LOG.c.at, _LOG.c.id)
                .limit(1)
            )
        ).one()
    return Pending(int(count or 0), oldest, stale, first)


async def of_application(session: AsyncSession, application_id: uuid.UUID) -> Sequence[AuditEntry]:
    """Sealed entries by ``seq``, then the ones waiting to be sealed, in the order they will be."""
    result = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.application_id == application_id)
        .order_by(AuditEntry.seq.asc().nulls_last(), AuditEntry.at, AuditEntry.id)
    )
    return result.all()


async def last_checkpoint(session: AsyncSession) -> AuditCheckpoint | None:
    """The latest published checkpoint, or None before the first."""
    return await session.scalar(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)
    )


def add_checkpoint(session: AsyncSession, checkpoint: AuditCheckpoint) -> None:
    session.add(checkpoint)


async def checkpoints(session: AsyncSession) -> dict[int, str]:
    """Every published checkpoint: seq → head hash at that seq."""
    rows = await session.execute(select(_CHECKPOINTS.c.seq, _CHECKPOINTS.c.hash))
    return {int(seq): str(digest) for seq, digest in rows.all()}
