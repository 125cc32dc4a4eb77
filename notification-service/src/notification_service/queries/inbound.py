"""Texts citizens sent (``inbound_sms``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.models import InboundSms


async def by_provider_id(
    session: AsyncSession, provider: str, provider_message_id: str
) -> InboundSms | None:
    return await session.scalar(
        select(InboundSms).where(
            InboundSms.provider == provider,
            InboundSms.provider_message_id == provider_message_id,
        )
    )


async def get(session: AsyncSession, inbound_id: uuid.UUID) -> InboundSms | None:
    return await session.get(InboundSms, inbound_id)


async def count_from(session: AsyncSession, sender: str, *, since: datetime) -> int:
    """How many texts ``sender`` sent since ``since``."""
    recent = await session.scalar(
        select(func.count())
        .select_from(InboundSms)
        .where(InboundSms.sender == sender, InboundSms.received_at >= since)
    )
    return int(recent or 0)


async def add(session: AsyncSession, row: InboundSms) -> None:
    session.add(row)
    await session.flush()
