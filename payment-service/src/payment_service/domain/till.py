"""A finance clerk's till at one centre for one day.

Opened with a float, cash payments (and cash refunds) recorded while open, closed with the
counted cash: ``expected = float + payments − refunds``, ``difference = counted − expected``.
A closed till is signed off by the centre's manager, who may not be the clerk. Each step
returns a new :class:`Till`; nothing here stores anything.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class TillState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    SIGNED_OFF = "signed_off"


class TillError(ValueError):
    """A step the till's state does not allow."""


@dataclass(frozen=True, slots=True)
class TillEntry:
    reference: str  # the payment's (or refund's) id
    amount: int  # piasters, positive
    refund: bool = False

    @property
    def signed(self) -> int:
        return -self.amount if self.refund else self.amount


@dataclass(frozen=True, slots=True)
class Till:
    centre: str
    clerk: str
    day: date  # the Cairo business day
    opening_float: int = 0
    entries: tuple[TillEntry, ...] = ()
    state: TillState = TillState.OPEN
    counted: int | None = None
    signed_off_by: str | None = None

    def __post_init__(self) -> None:
        if self.opening_float < 0:
            raise TillError("the opening float is not negative")

    @property
    def expected(self) -> int:
        return self.opening_float + sum(entry.signed for entry in self.entries)

    @property
    def difference(self) -> int | None:
        """Counted minus expected (positive: over, negative: short); None while open."""
        return None if self.counted is None else self.counted - self.expected

    @property
    def balanced(self) -> bool:
        return self.difference == 0

    def _record(self, entry: TillEntry) -> Till:
        if self.state is not TillState.OPEN:
            raise TillError("the till is closed")
        if entry.amount <= 0:
            raise TillError("an amount in the till is positive")
        if any(existing.reference == entry.reference for existing in self.entries):
            raise TillError(f"{entry.reference} is already in the till")
        if self.expected + entry.signed < 0:
            raise TillError("the till does not hold that much cash")
        return dataclasses.replace(self, entries=(*self.entries, entry))

    def record_payment(self, reference: str, amount: int) -> Till:
        return self._record(TillEntry(reference, amount))

    def record_refund(self, reference: str, amount: int) -> Till:
        return self._record(TillEntry(reference, amount, refund=True))

    def close(self, counted: int) -> Till:
        if self.state is not TillState.OPEN:
            raise TillError("the till is already closed")
        if counted < 0:
            raise TillError("counted cash is not negative")
        return dataclasses.replace(self, state=TillState.CLOSED, counted=counted)

    def sign_off(self, manager: str) -> Till:
        if self.state is not TillState.CLOSED:
            raise TillError("only a closed till is signed off, once")
        if manager == self.clerk:
            raise TillError("the clerk may not sign off their own till")
        return dataclasses.replace(self, state=TillState.SIGNED_OFF, signed_off_by=manager)


def open_till(*, centre: str, clerk: str, day: date, opening_float: int = 0) -> Till:
    return Till(centre=centre, clerk=clerk, day=day, opening_float=opening_float)
