"""Idempotency keys: the first answer to a creation POST, replayed for a retry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service.models import IdempotencyRecord


async def find(session: AsyncSession, principal: str, key: str) -> IdempotencyRecord | None:
    return await session.get(IdempotencyRecord, (principal, key))


async def remember(
    session: AsyncSession,
    *,
    principal: str,
    key: str,
    request_hash: str,
    status_code: int,
    body: dict[str, Any],
    location: str | None,
    now: datetime,
) -> None:
    await session.execute(
        insert(IdempotencyRecord).values(
            principal=principal,
            key=key,
            request_hash=request_hash,
            status_code=status_code,
            body=body,
            location=location,
            created_at=now,
        )
    )
