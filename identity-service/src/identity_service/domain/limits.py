"""Sliding-window limits, used for one-time-code requests and staff lockout."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Window:
    """At most ``limit`` events in any ``length``."""

    limit: int
    length: timedelta


def retry_after(recent: Sequence[datetime], window: Window, now: datetime) -> int | None:
    """Seconds until one more event fits, or None when it fits now.

    ``recent`` holds the latest events, newest first (``window.limit`` of them suffice).
    """
    inside = [moment for moment in recent if moment > now - window.length]
    if len(inside) < window.limit:
        return None
    oldest_counted = inside[window.limit - 1]
    return max(1, math.ceil((oldest_counted + window.length - now).total_seconds()))


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """``max_failures`` within ``window`` lock the account for ``duration`` after the last one."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=30)
    duration: timedelta = timedelta(minutes=30)

    def locked_until(self, failures: Sequence[datetime], now: datetime) -> datetime | None:
        """When the lock ends, or None if not locked.

        ``failures``: the latest failed attempts since the last success or unlock,
        newest first. Attempts refused while locked are not failures, so the lock
        ends ``duration`` after the failure that caused it.
        """
        if len(failures) < self.max_failures:
            return None
        newest, oldest_counted = failures[0], failures[self.max_failures - 1]
        if newest - oldest_counted > self.window:
            return None
        until = newest + self.duration
        return until if now < until else None
