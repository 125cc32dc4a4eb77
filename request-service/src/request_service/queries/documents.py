"""Documents attached to applications."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from request_service.models import Document


def add(session: AsyncSession, document: Document) -> None:
    session.add(document)


async def for_application(session: AsyncSession, application_id: uuid.UUID) -> Sequence[Document]:
    result = await session.scalars(
        select(Document)
        .where(Document.application_id == application_id)
        .order_by(Document.uploaded_at, Document.id)
    )
    return result.all()


async def get(
    session: AsyncSession, application_id: uuid.UUID, document_id: uuid.UUID
) -> Document | None:
    return await session.scalar(
        select(Document).where(
            Document.id == document_id, Document.application_id == application_id
        )
    )


async def count(session: AsyncSession, application_id: uuid.UUID) -> int:
    value = await session.scalar(
        select(func.count()).select_from(Document).where(Document.application_id == application_id)
    )
    return int(value or 0)


async def total_bytes(session: AsyncSession, application_id: uuid.UUID) -> int:
    value = await session.scalar(
        select(func.coalesce(func.sum(Document.size_bytes), 0)).where(
            Document.application_id == application_id
        )
    )
    return int(value or 0)
