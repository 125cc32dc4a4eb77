"""The composition root: the adapters a use case needs, chosen once by ``create_app``.

Catalogue reader, document store, clock, working calendar and rate limiter; use cases
take an :class:`Adapters` and never build their own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.db import utcnow
from request_service.catalogue import CatalogueReader
from request_service.domain.calendar import WorkingCalendar
from request_service.queries import holidays
from request_service.ratelimit import FixedWindowLimiter
from request_service.settings import RequestSettings
from request_service.storage import DocumentStore

Clock = Callable[[], datetime]


class CalendarCache:
    """The working calendar from the holiday table, reloaded at most every ``seconds``."""

    def __init__(
        self, seconds: float = 60.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.monotonic = monotonic
        self._calendar: WorkingCalendar | None = None
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    async def get(self, session: AsyncSession) -> WorkingCalendar:
        if self._calendar is None or self.monotonic() - self._loaded_at >= self.seconds:
            async with self._lock:
                if self._calendar is None or self.monotonic() - self._loaded_at >= self.seconds:
                    self._calendar = WorkingCalendar.of(await holidays.all_days(session))
                    self._loaded_at = self.monotonic()
        return self._calendar

    def invalidate(self) -> None:
        self._calendar = None


@dataclass
class Adapters:
    settings: RequestSettings
    catalogue: CatalogueReader
    documents: DocumentStore
    clock: Clock = utcnow
    calendars: CalendarCache = field(default_factory=CalendarCache)
    inquiry_limiter: FixedWindowLimiter = field(default_factory=lambda: FixedWindowLimiter(10, 60))

    def now(self) -> datetime:
        return self.clock()

    @property
    def staging_dir(self) -> Path:
        return self.settings.document_root / ".staging"
