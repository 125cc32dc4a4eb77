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


async def bump(session: AsyncSession) -> None:
    """Raise the counter; call it first in a write, so its row lock serialises catalogue writers."""
    await session.execute(
        update(CatalogueGeneration)
        .where(CatalogueGeneration.id == ROW)
        .values(generation=CatalogueGeneration.generation + 1, changed_at=utcnow())
    )
