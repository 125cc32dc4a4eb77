"""Cairo dates and the working-day port the KPI core is given (the kernel calendar implements it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

CAIRO = ZoneInfo("Africa/Cairo")


def cairo_date(moment: datetime) -> date:
    """The Africa/Cairo calendar date of an aware instant."""
    if moment.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return moment.astimezone(CAIRO).date()


class WorkingDays(Protocol):
    """Working-day arithmetic in Cairo (weekend and public holidays known to the implementation)."""

    def between(self, a: date, b: date) -> int:
        """How many working days lie in (``a``, ``b``]; 0 when ``b`` is not after ``a``."""
        ...
