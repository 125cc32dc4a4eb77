"""The templates in use, read through a short per-process cache.

The latest *active* version of a key and language is the one used (changes:
services/templates). Reads go through a per-process snapshot refreshed every
``cache_seconds`` (and at once after a change made by this process).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import on_commit
from notification_service.queries import templates

LANGUAGES = ("ar", "en")


@dataclass(frozen=True, slots=True)
class ActiveTemplate:
    key: str
    language: str
    version: int
    body: str


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
        rows = await templates.active_rows(session)
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
