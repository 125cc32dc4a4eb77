"""The timeline of each application."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from request_service.models import StateChange


def add(session: AsyncSession, change: StateChange) -> None:
    session.add(change)


async def timeline(session: AsyncSession, application_id: uuid.UUID) -> Sequence[StateChange]:
    result = await session.scalars(
        select(StateChange)
        .where(StateChange.application_id == application_id)
        .order_by(StateChange.at, StateChange.id)
    )
    return result.all()
