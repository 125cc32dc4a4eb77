"""The composition root: the adapters a use case needs, chosen once by ``create_app``.

Catalogue reader, document store, clock, working calendar and rate limiter; use cases
take an :class:`Adapters` and never build their own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.calendar import (
    SEED_YEARS_AFTER,
    SEED_YEARS_BEFORE,
    WorkingCalendar,
    egypt_holidays,
    seed_years,
    with_overrides,
)
from mahaliyat.clock import Clock, system_clock
from request_service.catalogue import CatalogueReader
from request_service.queries import holidays
from request_service.ratelimit import FixedWindowLimiter
from request_service.settings import RequestSettings
from request_service.storage import DocumentStore


class CalendarCache:
    """The working calendar: Egypt's holidays seeded around ``today`` with the holidays table
    (the admins' decisions) over them; reloaded at most every ``seconds`` and when the year
    changes."""

    def __init__(
        self,
        seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
        *,
        years_before: int = SEED_YEARS_BEFORE,
        years_after: int = SEED_YEARS_AFTER,
    ) -> None:
        self.seconds = seconds
        self.monotonic = monotonic
        self.years_before, self.years_after = years_before, years_after
        self._calendar: WorkingCalendar | None = None
        self._years: range | None = None
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    def years(self, today: date) -> range:
        """The years whose holidays are seeded."""
        return seed_years(today, self.years_before, self.years_after)

    def _stale(self, years: range) -> bool:
        return (
            self._calendar is None
            or self._years != years
            or self.monotonic() - self._loaded_at >= self.seconds
        )

    async def get(self, session: AsyncSession, today: date) -> WorkingCalendar:
        years = self.years(today)
        calendar = self._calendar
        if calendar is None or self._stale(years):
            async with self._lock:
                calendar = self._calendar
                if calendar is None or self._stale(years):
                    seed = egypt_holidays(years)
                    calendar = WorkingCalendar(
                        with_overrides(seed, await holidays.overrides(session))
                    )
                    self._calendar, self._years = calendar, years
                    self._loaded_at = self.monotonic()
        return calendar

    def invalidate(self) -> None:
        self._calendar = None


@dataclass
class Adapters:
    settings: RequestSettings
    catalogue: CatalogueReader
    documents: DocumentStore
    clock: Clock = system_clock
    calendars: CalendarCache = field(default_factory=CalendarCache)
    inquiry_limiter: FixedWindowLimiter = field(default_factory=lambda: FixedWindowLimiter(10, 60))

    def now(self) -> datetime:
        return self.clock()

    @property
    def staging_dir(self) -> Path:
        return self.settings.document_root / ".staging"
