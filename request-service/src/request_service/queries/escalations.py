"""Escalations of breached applications: at most one row per application."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import upsert
from request_service.models import Application, Escalation
from request_service.queries import within


async def record_once(
    session: AsyncSession,
    application_id: uuid.UUID,
    jurisdiction: str,
    due_at: datetime,
    now: datetime,
) -> bool:
    """True when this call escalated it for ``due_at``; False when that was done already (by anyone).

    One row per application, holding the latest deadline it was escalated for: a
    deadline moved on (time returned to the citizen) and breached again escalates
    again.
    """
    table = Escalation.__table__
    statement = upsert(session, table).values(
        application_id=application_id,
        jurisdiction=jurisdiction,
        due_at=due_at,
        escalated_at=now,
    )
    result = await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.application_id],
            set_={
                "due_at": statement.excluded.due_at,
                "escalated_at": statement.excluded.escalated_at,
            },
            where=table.c.due_at != statement.excluded.due_at,
        )
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


async def exists_for(
    session: AsyncSession, application_id: uuid.UUID, due_at: datetime | None
) -> bool:
    """Whether the application was escalated for the deadline it has now."""
    if due_at is None:
        return False
    found = await session.scalar(
        select(Escalation.application_id).where(
            Escalation.application_id == application_id, Escalation.due_at == due_at
        )
    )
    return found is not None
