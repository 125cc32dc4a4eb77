"""Escalations of breached applications: at most one row per application."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from request_service.models import Application, Escalation
from request_service.queries import upsert, within


async def record_once(
    session: AsyncSession,
    application_id: uuid.UUID,
    jurisdiction: str,
    due_at: datetime,
    now: datetime,
) -> bool:
    """True when this call escalated it; False when it already was (by anyone)."""
    result = await session.execute(
        upsert(session, Escalation.__table__)
        .values(
            application_id=application_id,
            jurisdiction=jurisdiction,
            due_at=due_at,
            escalated_at=now,
        )
        .on_conflict_do_nothing()
    )
    return bool(getattr(result, "rowcount", 0))


async def listed(
    session: AsyncSession, jurisdictions: Sequence[str], limit: int, offset: int
) -> Sequence[tuple[Escalation, Application]]:
    rows = await session.execute(
        select(Escalation, Application)
        .join(Application, Application.id == Escalation.application_id)
        .where(within(Escalation.jurisdiction, jurisdictions))
        .order_by(Escalation.escalated_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(row[0], row[1]) for row in rows.all()]


async def exists_for(session: AsyncSession, application_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(Escalation.application_id).where(Escalation.application_id == application_id)
    )
    return found is not None
