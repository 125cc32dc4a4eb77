"""The catalogue generation counter (one row, id 1, created by migration 0002)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service.models import CatalogueGeneration
from mahaliyat.db import utcnow

ROW = 1


async def current(session: AsyncSession) -> int:
    value = await session.scalar(
        select(CatalogueGeneration.generation).where(CatalogueGeneration.id == ROW)
    )
    return int(value or 0)


async def lock(session: AsyncSession) -> None:
    """Hold the row (``FOR UPDATE``) until the transaction ends: every catalogue writer takes
    it first, before any other row, so writers queue on one lock in one order."""
    await session.execute(
        select(CatalogueGeneration.id).where(CatalogueGeneration.id == ROW).with_for_update()
    )


async def bump(session: AsyncSession) -> None:
    """Raise the counter (the replicas' read models reload their snapshot)."""
    await session.execute(
        update(CatalogueGeneration)
        .where(CatalogueGeneration.id == ROW)
        .values(generation=CatalogueGeneration.generation + 1, changed_at=utcnow())
    )
