"""Templates in the database: versions, the one in use, seeding, and a short read cache.

A change adds a version; the latest *active* version of a key and language is
the one used, so deactivating the latest falls back to the one before it. Old
versions are kept. Reads go through a per-process snapshot refreshed every
``cache_seconds`` (and at once after a change made by this process).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import on_commit, upsert
from mahaliyat.ids import new_id
from notification_service.domain.templates import TemplateError, placeholders
from notification_service.models import SmsTemplate
from notification_service.seed.templates import DEFAULT_TEMPLATES, OTP_KEY

LANGUAGES = ("ar", "en")


@dataclass(frozen=True, slots=True)
class ActiveTemplate:
    key: str
    language: str
    version: int
    body: str


def validate_body(key: str, body: str) -> tuple[str, ...]:
    """The body's placeholders; refuses bad syntax and an OTP template without ``{code}``."""
    names = placeholders(body)
    if key.startswith(OTP_KEY) and "code" not in names:
        raise TemplateError("an OTP template must contain {code}")
    if not body.strip():
        raise TemplateError("the template is empty")
    return names


class TemplateStore:
    def __init__(self, cache_seconds: float = 5.0) -> None:
        self.cache_seconds = cache_seconds
        self._snapshot: dict[tuple[str, str], ActiveTemplate] | None = None
        self._loaded_at = float("-inf")

    def invalidate(self) -> None:
        self._snapshot = None

    def invalidate_after_commit(self, session: AsyncSession) -> None:
        self.invalidate()
        on_commit(session, self.invalidate)

    async def active(self, session: AsyncSession) -> dict[tuple[str, str], ActiveTemplate]:
        fresh = time.monotonic() - self._loaded_at < self.cache_seconds
        if self._snapshot is not None and fresh:
            return self._snapshot
        rows = await session.execute(
            select(SmsTemplate.key, SmsTemplate.language, SmsTemplate.version, SmsTemplate.body)
            .where(SmsTemplate.active.is_(True))
            .order_by(SmsTemplate.version)
        )
        snapshot = {(r.key, r.language): ActiveTemplate(*r) for r in rows}  # highest wins
        self._snapshot, self._loaded_at = snapshot, time.monotonic()
        return snapshot

    async def find(
        self, session: AsyncSession, keys: Sequence[str], language: str
    ) -> ActiveTemplate | None:
        """The most specific key that has a template, in ``language`` or else in Arabic."""
        snapshot = await self.active(session)
        for key in keys:
            for candidate in dict.fromkeys((language, "ar")):
                found = snapshot.get((key, candidate))
                if found is not None:
                    return found
        return None

    async def versions(self, session: AsyncSession, key: str) -> list[SmsTemplate]:
        rows = await session.scalars(
            select(SmsTemplate)
            .where(SmsTemplate.key == key)
            .order_by(SmsTemplate.language, SmsTemplate.version)
        )
        return list(rows)

    async def latest_per_key(self, session: AsyncSession) -> list[SmsTemplate]:
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

    async def put(
        self,
        session: AsyncSession,
        *,
        key: str,
        language: str,
        body: str,
        description: str | None,
        author: str,
        now: datetime,
    ) -> tuple[SmsTemplate, bool]:
        """Make ``body`` the template in use; a new version unless it already is. (row, created)"""
        validate_body(key, body)
        latest = await session.scalar(
            select(SmsTemplate)
            .where(SmsTemplate.key == key, SmsTemplate.language == language)
            .order_by(SmsTemplate.version.desc())
            .limit(1)
        )
        if (
            latest is not None
            and latest.active
            and latest.body == body
            and latest.description == description
        ):
            return latest, False
        row = SmsTemplate(
            id=new_id(),
            key=key,
            language=language,
            version=(latest.version + 1) if latest is not None else 1,
            body=body,
            description=description,
            active=True,
            created_at=now,
            created_by=author,
        )
        session.add(row)
        await session.flush()
        self.invalidate_after_commit(session)
        return row, True

    async def set_active(
        self, session: AsyncSession, *, key: str, language: str, version: int, active: bool
    ) -> SmsTemplate | None:
        row = await session.scalar(
            select(SmsTemplate).where(
                SmsTemplate.key == key,
                SmsTemplate.language == language,
                SmsTemplate.version == version,
            )
        )
        if row is not None and row.active != active:
            row.active = active
            await session.flush()
            self.invalidate_after_commit(session)
        return row

    async def seed_defaults(
        self,
        session: AsyncSession,
        now: datetime,
        defaults: Iterable[tuple[str, str, str]] | None = None,
    ) -> int:
        """Version 1 of every default whose key and language have no version yet."""
        wanted = list(
            defaults
            if defaults is not None
            else (
                (key, language, body)
                for key, texts in DEFAULT_TEMPLATES.items()
                for language, body in texts.items()
            )
        )
        existing = set(
            (await session.execute(select(SmsTemplate.key, SmsTemplate.language).distinct())).all()
        )
        rows = [
            {
                "id": new_id(),
                "key": key,
                "language": language,
                "version": 1,
                "body": body,
                "description": "default",
                "active": True,
                "created_at": now,
                "created_by": "seed",
            }
            for key, language, body in wanted
            if (key, language) not in existing
        ]
        if not rows:
            return 0
        await session.execute(upsert(session, SmsTemplate).on_conflict_do_nothing(), rows)
        self.invalidate_after_commit(session)
        return len(rows)
