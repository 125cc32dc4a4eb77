"""The one fake clock of the tests: a :class:`mahaliyat.clock.Clock` the test sets and moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mahaliyat.clock import Clock

__all__ = ["Clock", "FakeClock"]


class FakeClock:
    """Answers ``now`` until the test moves it (``advance``) or sets it (``now = ...``).

    Without ``start`` it starts at the real time when it is made, so tokens signed with
    it verify; a test that needs a fixed day passes one.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start if start is not None else datetime.now(UTC)

    @property
    def now(self) -> datetime:
        return self._now

    @now.setter
    def now(self, moment: datetime) -> None:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("a clock tells aware instants")
        self._now = moment.astimezone(UTC)

    def __call__(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move on by ``timedelta(**delta)``; the new instant."""
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return self._now
