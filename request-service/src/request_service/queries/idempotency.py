"""Idempotency keys: the first answer to a creation POST, replayed for a retry."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import upsert, utcnow
from request_service.models import IdempotencyRecord


async def find(session: AsyncSession, principal: str, key: str) -> IdempotencyRecord | None:
    return await session.scalar(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.principal == principal, IdempotencyRecord.key == key)
        .execution_options(populate_existing=True)
    )


async def claim(session: AsyncSession, principal: str, key: str, fingerprint: str) -> bool:
    """Take the key for this transaction; False when someone already holds it.

    On PostgreSQL a concurrent claimer waits here until the holder commits or
    rolls back, then sees the outcome.
    """
    statement = (
        upsert(session, IdempotencyRecord.__table__)
        .values(principal=principal, key=key, fingerprint=fingerprint, created_at=utcnow())
        .on_conflict_do_nothing()
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


async def complete(
    session: AsyncSession,
    principal: str,
    key: str,
    status_code: int,
    body: str,
    headers: dict[str, str],
) -> None:
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.principal == principal, IdempotencyRecord.key == key)
        .values(status_code=status_code, response_body=body, response_headers=headers)
    )
