"""Every indicator as data: code, names, formula (words and function), unit, better-when, sources.

An indicator is computed from the rollup cells of a :class:`Scope` (jurisdiction, first and
last Cairo day, optional service, channel, officer). Flows (volumes, times, shares) sum the
cells of the days in the scope; stocks (backlog, overdue, inspection backlog) sum the flows
of every day up to the scope's last day. A ratio with nothing to divide by is ``None``
("no data"), never 0.

The building blocks are in ``base``, the indicators one module per group (``volume``,
``front_office``, ``back_office``, ``licensing``, ``revenue``, ``sms``, ``satisfaction``,
``staff``); the registry (:data:`INDICATORS`, :data:`BY_CODE`) and the queries over it are
here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from kpi_service.domain.cells import Cell, CellKey, cells_where
from kpi_service.domain.indicators.back_office import BACK_OFFICE
from kpi_service.domain.indicators.base import (
    Better,
    Indicator,
    Scope,
    View,
    median,
    ratio,
    view,
)
from kpi_service.domain.indicators.front_office import FRONT_OFFICE
from kpi_service.domain.indicators.licensing import LICENSING
from kpi_service.domain.indicators.revenue import REVENUE
from kpi_service.domain.indicators.satisfaction import SATISFACTION
from kpi_service.domain.indicators.sms import SMS
from kpi_service.domain.indicators.staff import STAFF
from kpi_service.domain.indicators.volume import VOLUME

__all__ = [
    "BY_CODE",
    "DIMENSIONS",
    "INDICATORS",
    "Better",
    "Indicator",
    "Scope",
    "View",
    "breakdown",
    "for_officer",
    "median",
    "ratio",
    "refunds_by_method",
    "revenue_by_method",
    "view",
]

INDICATORS: tuple[Indicator, ...] = (
    *VOLUME,
    *FRONT_OFFICE,
    *BACK_OFFICE,
    *LICENSING,
    *REVENUE,
    *SMS,
    *SATISFACTION,
    *STAFF,
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}

DIMENSIONS = ("jurisdiction", "governorate", "centre", "service", "channel", "officer")


def _dimension(key: CellKey, name: str) -> str | None:
    return key.officer if name == "officer" else getattr(key.dims, name)


def breakdown(
    indicator: Indicator, cells: Mapping[CellKey, Cell], scope: Scope, by: str
) -> dict[str | None, float | None]:
    """The indicator for each value of one dimension found within the scope."""
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    values = {
        _dimension(k, by)
        for k, _ in cells_where(cells, jurisdiction=scope.jurisdiction, last=scope.last)
    }
    out: dict[str | None, float | None] = {}
    for value in sorted(values, key=lambda v: (v is None, v or "")):
        part = {k: c for k, c in cells.items() if _dimension(k, by) == value}
        out[value] = indicator.value(part, scope)
    return out


def revenue_by_method(cells: Mapping[CellKey, Cell], scope: Scope) -> dict[str, int]:
    """Revenue collected per payment method, piasters."""
    flow = view(cells, scope).flow
    return dict(sorted(flow.revenue_by_method.items()))


def refunds_by_method(cells: Mapping[CellKey, Cell], scope: Scope) -> dict[str, int]:
    """Refunds per payment method, piasters."""
    flow = view(cells, scope).flow
    return dict(sorted(flow.refunded_by_method.items()))


def for_officer(scope: Scope, officer: str) -> Scope:
    return replace(scope, officer=officer)
