"""Fee schedules: one row per service, governorate (NULL: national) and period."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service.domain.fees import FeeSchedule
from catalog_service.models import FeeScheduleRow
from catalog_service.queries import codec
from mahaliyat.ids import new_id


@dataclass(frozen=True, slots=True)
class StoredSchedule:
    id: uuid.UUID
    schedule: FeeSchedule
    created_at: datetime
    closed_at: datetime | None
    withdrawn_at: datetime | None = None


def stored(row: FeeScheduleRow) -> StoredSchedule:
    return StoredSchedule(
        row.id,
        FeeSchedule(
            row.service_code,
            row.governorate_code,
            row.effective_from,
            row.effective_to,
            codec.fee_items_of(row.items),
        ),
        row.created_at,
        row.closed_at,
        row.withdrawn_at,
    )


_ORDER = (FeeScheduleRow.service_code, FeeScheduleRow.effective_from, FeeScheduleRow.id)


# Withdrawn schedules never applied: they are kept for the record but read by id only.
_STANDING = FeeScheduleRow.withdrawn_at.is_(None)


async def every_schedule(session: AsyncSession) -> list[StoredSchedule]:
    query = select(FeeScheduleRow).where(_STANDING).order_by(*_ORDER)
    return [stored(r) for r in await session.scalars(query)]


async def schedules_of(
    session: AsyncSession,
    service_code: str,
    governorate_code: str | None = None,
    *,
    every: bool = False,
) -> list[StoredSchedule]:
    """A service's schedules not withdrawn: for one governorate (None: the national ones), or
    ``every`` one."""
    query = select(FeeScheduleRow).where(FeeScheduleRow.service_code == service_code, _STANDING)
    if not every:
        query = query.where(
            FeeScheduleRow.governorate_code.is_(None)
            if governorate_code is None
            else FeeScheduleRow.governorate_code == governorate_code
        )
    return [stored(r) for r in await session.scalars(query.order_by(*_ORDER))]


async def schedule_row(
    session: AsyncSession, schedule_id: uuid.UUID, *, lock: bool = False
) -> FeeScheduleRow | None:
    return await session.get(FeeScheduleRow, schedule_id, with_for_update=lock or None)


async def add_schedules(
    session: AsyncSession, items: Iterable[FeeSchedule], now: datetime, by: str | None = None
) -> list[uuid.UUID]:
    schedules = list(items)
    ids = [new_id() for _ in schedules]
    rows = [
        {
            "id": schedule_id,
            "service_code": s.service_code,
            "governorate_code": s.governorate_code,
            "effective_from": s.effective_from,
            "effective_to": s.effective_to,
            "items": codec.fee_items_json(s.items),
            "created_at": now,
            "created_by": by,
            "closed_at": None,
        }
        for schedule_id, s in zip(ids, schedules, strict=True)
    ]
    if rows:
        await session.execute(insert(FeeScheduleRow), rows)
    return ids


def close_schedule(row: FeeScheduleRow, effective_to: date, now: datetime) -> None:
    row.effective_to = effective_to
    row.closed_at = now


def withdraw_schedule(row: FeeScheduleRow, now: datetime) -> None:
    row.withdrawn_at = now
