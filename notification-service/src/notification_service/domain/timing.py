"""When a message may go: quiet hours in Africa/Cairo, retry backoff, per-recipient limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from mahaliyat.clock import CAIRO


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window (local time) in which only OTPs and replies go; it may span midnight."""

    start: time
    end: time
    zone: ZoneInfo = CAIRO

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone).time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, moment: datetime) -> datetime | None:
        """When the window containing ``moment`` ends (UTC); None when ``moment`` is outside it."""
        if not self.contains(moment):
            return None
        local = moment.astimezone(self.zone)
        day = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) >= self.start:
            day += timedelta(days=1)  # started this evening, ends tomorrow morning
        end = datetime.combine(day, self.end, tzinfo=self.zone)
        return end.astimezone(UTC)


def backoff(attempt: int, *, base_seconds: float, max_seconds: float) -> timedelta:
    """Delay before retrying after failed attempt number ``attempt`` (1-based): doubling, capped."""
    return timedelta(seconds=min(max_seconds, base_seconds * 2 ** max(0, attempt - 1)))


LimitVerdict = Literal["ok", "identical_exceeded", "total_exceeded"]


@dataclass(frozen=True, slots=True)
class RecipientLimits:
    """What one number may receive per rolling hour (operators block beyond such limits)."""

    identical_per_hour: int = 20
    total_per_hour: int = 100

    def verdict(self, *, total: int, identical: int) -> LimitVerdict:
        """Whether one more message may go, given what went in the last hour."""
        if identical >= self.identical_per_hour:
            return "identical_exceeded"
        if total >= self.total_per_hour:
            return "total_exceeded"
        return "ok"
