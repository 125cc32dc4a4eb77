"""The audit trail: appended, never changed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.models import AuditEntry


def append(session: AsyncSession, entry: AuditEntry) -> None:
    session.add(entry)


async def entries(
    session: AsyncSession,
    *,
    action: str | None,
    actor: str | None,
    target: str | None,
    before: uuid.UUID | None,
    limit: int,
) -> Sequence[AuditEntry]:
    """Newest first; page with ``before`` = the last id seen (ids are time-ordered)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if target:
        query = query.where(AuditEntry.target == target)
    if before:
        query = query.where(AuditEntry.id < before)
    return (await session.scalars(query)).all()
