"""Template versions (``sms_templates``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import upsert
from notification_service.models import SmsTemplate


async def active_rows(session: AsyncSession) -> Sequence[Row[str, str, int, str]]:
    """``(key, language, version, body)`` of every active version, lowest version first."""
    result = await session.execute(
        select(SmsTemplate.key, SmsTemplate.language, SmsTemplate.version, SmsTemplate.body)
        .where(SmsTemplate.active.is_(True))
        .order_by(SmsTemplate.version)
    )
    return result.all()


async def versions(session: AsyncSession, key: str) -> list[SmsTemplate]:
    rows = await session.scalars(
        select(SmsTemplate)
        .where(SmsTemplate.key == key)
        .order_by(SmsTemplate.language, SmsTemplate.version)
    )
    return list(rows)


async def latest_per_key(session: AsyncSession) -> list[SmsTemplate]:
    """The version in use for every key and language that has one."""
    newest = (
        select(
            SmsTemplate.key,
            SmsTemplate.language,
            func.max(SmsTemplate.version).label("version"),
        )
        .where(SmsTemplate.active.is_(True))
        .group_by(SmsTemplate.key, SmsTemplate.language)
        .subquery()
    )
    rows = await session.scalars(
        select(SmsTemplate)
        .join(
            newest,
            (SmsTemplate.key == newest.c.key)
            & (SmsTemplate.language == newest.c.language)
            & (SmsTemplate.version == newest.c.version),
        )
        .order_by(SmsTemplate.key, SmsTemplate.language)
    )
    return list(rows)


async def latest(session: AsyncSession, key: str, language: str) -> SmsTemplate | None:
    """The highest version of a key and language, active or not."""
    return await session.scalar(
        select(SmsTemplate)
        .where(SmsTemplate.key == key, SmsTemplate.language == language)
        .order_by(SmsTemplate.version.desc())
        .limit(1)
    )


async def version(
    session: AsyncSession, key: str, language: str, number: int
) -> SmsTemplate | None:
    return await session.scalar(
        select(SmsTemplate).where(
            SmsTemplate.key == key,
            SmsTemplate.language == language,
            SmsTemplate.version == number,
        )
    )


async def add(session: AsyncSession, row: SmsTemplate) -> None:
    session.add(row)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    """Write a changed row now (its constraints are checked before the use case goes on)."""
    await session.flush()


async def keys_and_languages(session: AsyncSession) -> set[tuple[str, str]]:
    """Every (key, language) that has a version."""
    rows = await session.execute(select(SmsTemplate.key, SmsTemplate.language).distinct())
    return {(key, language) for key, language in rows}


async def insert_missing(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert versions, skipping any that a concurrent writer inserted first."""
    insert = upsert(session, SmsTemplate)
    await session.execute(insert.on_conflict_do_nothing(), [dict(row) for row in rows])
