"""Cairo dates and the working-day port the KPI core is given (the kernel calendar implements it)."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from mahaliyat.clock import CAIRO as CAIRO
from mahaliyat.clock import cairo_date as cairo_date


class WorkingDays(Protocol):
    """Working-day arithmetic in Cairo (weekend and public holidays known to the implementation)."""

    def between(self, a: date, b: date) -> int:
        """How many working days lie in (``a``, ``b``]; 0 when ``b`` is not after ``a``."""
        ...
