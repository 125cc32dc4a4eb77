"""What every indicator is made of: the scope, the view of the cells a formula sees, helpers.

An indicator is computed from the rollup cells of a :class:`Scope` (jurisdiction, first and
last Cairo day, optional service, channel, officer). Flows (volumes, times, shares) sum the
cells of the days in the scope; stocks (backlog, overdue, inspection backlog) sum the flows
of every day up to the scope's last day. A ratio with nothing to divide by is ``None``
("no data"), never 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kpi_service.domain.cells import Cell, CellKey, cells_where, total


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True, slots=True)
class Scope:
    jurisdiction: str = "EG"
    first: date | None = None
    last: date | None = None
    service: str | None = None
    channel: str | None = None
    officer: str | None = None


@dataclass(frozen=True, slots=True)
class View:
    """What a formula sees: the flow cells of the scope, their total, and the stock total."""

    cells: tuple[tuple[CellKey, Cell], ...]
    flow: Cell
    stock: Cell


def view(cells: Mapping[CellKey, Cell], scope: Scope) -> View:
    j, s, ch, o = scope.jurisdiction, scope.service, scope.channel, scope.officer
    flows = tuple(
        cells_where(
            cells,
            jurisdiction=j,
            first=scope.first,
            last=scope.last,
            service=s,
            channel=ch,
            officer=o,
        )
    )
    stocks = cells_where(cells, jurisdiction=j, last=scope.last, service=s, channel=ch, officer=o)
    stock = total(c for _, c in stocks)
    return View(flows, total(c for _, c in flows), stock)


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def median(values: Counter[int]) -> float | None:
    """The median of a multiset (the mean of the two middle values for an even count)."""
    count = sum(values.values())
    if count == 0:
        return None
    wanted = [(count - 1) // 2, count // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(values):
        seen += values[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
    return (found[0] + found[1]) / 2


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    name_ar: str
    name_en: str
    formula: str
    unit: str
    better: Better
    sources: tuple[str, ...]
    compute: Callable[[View], float | None]
    accumulates: bool = False  # True: grows through the period (volumes, money, counts)
    group: str = ""

    def value(self, cells: Mapping[CellKey, Cell], scope: Scope) -> float | None:
        return self.compute(view(cells, scope))


REQ = ("request.submitted",)
DONE = ("request.completed",)
CHANGED = ("request.status_changed",)
HOUR, DAY = 3600, 86400


def mean(total_value: int, count: int, unit: int) -> float | None:
    return None if count == 0 else total_value / count / unit


def define(
    code: str,
    ar: str,
    en: str,
    formula: str,
    unit: str,
    better: Better,
    sources: tuple[str, ...],
    compute: Callable[[View], float | None],
    *,
    accumulates: bool = False,
    group: str,
) -> Indicator:
    return Indicator(code, ar, en, formula, unit, better, sources, compute, accumulates, group)


H, L = Better.HIGHER, Better.LOWER
