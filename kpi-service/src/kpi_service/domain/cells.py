"""Rollup cells: additive counters per (Cairo day, dimensions, officer), and scoping them.

A :class:`Cell` holds integers and multisets only, so adding and retracting contributions
never drifts; :mod:`kpi_service.domain.rollup` keeps the cells as a function of the facts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import date

from kpi_service.domain.facts import Dims
from mahaliyat.jurisdictions import covers

NATIONAL = Dims(jurisdiction="EG", governorate="", centre=None, service="", channel="")


@dataclass(frozen=True, slots=True)
class CellKey:
    day: date
    dims: Dims
    officer: str | None = None


@dataclass(slots=True)
class Cell:
    """Additive measures of one cell. Seconds and piasters are integers; multisets are Counters."""

    filed: int = 0
    completed: int = 0
    approved: int = 0
    rejected: int = 0
    cancelled: int = 0
    decided: int = 0  # approved + rejected
    returned: int = 0  # decided applications that were ever returned to the citizen
    sla_met: int = 0
    sla_missed: int = 0
    sla_unknown: int = 0
    held_seconds: int = 0  # sum over decided applications, filing → completion less returned time
    handling: Counter[int] = field(default_factory=Counter)  # processing seconds, multiset
    first_actions: int = 0
    first_action_seconds: int = 0
    opened: int = 0
    closed: int = 0
    overdue_in: int = 0
    overdue_out: int = 0
    escalations: int = 0
    payments: int = 0
    revenue_piasters: int = 0
    revenue_by_method: Counter[str] = field(default_factory=Counter)
    refunds: int = 0
    refunded_piasters: int = 0
    refunded_by_method: Counter[str] = field(default_factory=Counter)
    sms_delivered: int = 0
    sms_failed: int = 0
    sms_pending: int = 0
    cases_opened: int = 0
    cases_decided: int = 0
    clocks_met: int = 0
    deemed_approvals: int = 0
    inspections_due: int = 0
    inspections_done: int = 0
    licences: Counter[str] = field(default_factory=Counter)
    answers: int = 0
    score_sum: int = 0
    satisfied: int = 0
    scores: Counter[int] = field(default_factory=Counter)

    def add(self, other: Cell, sign: int = 1) -> None:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, Counter):
                for key, count in theirs.items():
                    mine[key] += sign * count
                    if mine[key] == 0:
                        del mine[key]
            else:
                setattr(self, f.name, mine + sign * theirs)

    def is_empty(self) -> bool:
        return all(not getattr(self, f.name) for f in fields(self))

    def copy(self) -> Cell:
        out = Cell()
        out.add(self)
        return out


def total(cells: Iterable[Cell]) -> Cell:
    out = Cell()
    for cell in cells:
        out.add(cell)
    return out


def cells_where(
    cells: Mapping[CellKey, Cell],
    *,
    jurisdiction: str = "EG",
    first: date | None = None,
    last: date | None = None,
    service: str | None = None,
    channel: str | None = None,
    officer: str | None = None,
) -> Iterator[tuple[CellKey, Cell]]:
    """The cells within a jurisdiction (``mahaliyat.jurisdictions.covers``), days and filters."""
    for key, cell in cells.items():
        if first is not None and key.day < first:
            continue
        if last is not None and key.day > last:
            continue
        if service is not None and key.dims.service != service:
            continue
        if channel is not None and key.dims.channel != channel:
            continue
        if officer is not None and key.officer != officer:
            continue
        if not covers(jurisdiction, key.dims.jurisdiction):
            continue
        yield key, cell
