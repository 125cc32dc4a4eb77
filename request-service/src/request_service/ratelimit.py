"""A fixed-window counter per key (client IP), in this process's memory.

Each replica counts on its own; the gateway's rate limit is the shared one.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class FixedWindowLimiter:
    def __init__(
        self, limit: int, window_seconds: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.monotonic = monotonic
        self._counts: dict[str, tuple[float, int]] = {}

    def hit(self, key: str) -> float | None:
        """Count one attempt; None when allowed, else seconds until the window resets."""
        now = self.monotonic()
        if len(self._counts) > 100_000:
            self._counts = {k: v for k, v in self._counts.items() if now - v[0] < self.window}
        started, count = self._counts.get(key, (now, 0))
        if now - started >= self.window:
            started, count = now, 0
        if count >= self.limit:
            return max(0.0, self.window - (now - started))
        self._counts[key] = (started, count + 1)
        return None
