"""Partner (and service) OAuth2 clients."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.models import PartnerClient


async def get(session: AsyncSession, client_uuid: uuid.UUID) -> PartnerClient | None:
    return await session.get(PartnerClient, client_uuid)


async def by_client_id(session: AsyncSession, client_id: str) -> PartnerClient | None:
    return await session.scalar(select(PartnerClient).where(PartnerClient.client_id == client_id))


async def add(session: AsyncSession, client: PartnerClient) -> None:
    session.add(client)
    await session.flush()


async def page(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[Sequence[PartnerClient], int]:
    """Clients by name, then client id; and the total."""
    total = await session.scalar(select(func.count()).select_from(PartnerClient)) or 0
    clients = await session.scalars(
        select(PartnerClient)
        .order_by(PartnerClient.name, PartnerClient.client_id)
        .limit(limit)
        .offset(offset)
    )
    return clients.all(), total
