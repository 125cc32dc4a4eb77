"""The timeline of each application."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from request_service.models import StateChange
from request_service.queries import Reader

_CHANGES: Table = StateChange.__table__  # type: ignore[assignment]
_LATEST_REASON = (
    select(_CHANGES.c.reason_ar, _CHANGES.c.reason_en)
    .where(
        _CHANGES.c.application_id == bindparam("application_id"),
        _CHANGES.c.to_state == bindparam("state"),
    )
    .order_by(_CHANGES.c.at.desc(), _CHANGES.c.id.desc())
    .limit(1)
)


def add(session: AsyncSession, change: StateChange) -> None:
    session.add(change)


async def timeline(session: AsyncSession, application_id: uuid.UUID) -> Sequence[StateChange]:
    result = await session.scalars(
        select(StateChange)
        .where(StateChange.application_id == application_id)
        .order_by(StateChange.at, StateChange.id)
    )
    return result.all()


async def latest_reason(
    db: Reader, application_id: uuid.UUID, state: str
) -> tuple[str | None, str | None] | None:
    """(reason_ar, reason_en) of the latest move into ``state``; None when it never entered it."""
    row = (
        await db.execute(_LATEST_REASON, {"application_id": application_id, "state": state})
    ).one_or_none()
    return None if row is None else (row.reason_ar, row.reason_en)
