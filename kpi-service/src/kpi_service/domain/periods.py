"""Reporting periods (month, quarter, Egypt's July–June fiscal year), targets and evaluations."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from kpi_service.domain.days import cairo_date
from kpi_service.domain.indicators import Better


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    FISCAL_YEAR = "fiscal_year"


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """Cairo calendar dates ``first`` … ``last`` (both included)."""

    first: date
    last: date
    kind: PeriodKind
    name: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last

    def elapsed(self, today: date) -> float:
        """Share of the period's days gone by the end of ``today`` (0 before, 1 after)."""
        done = (min(today, self.last) - self.first).days + 1
        return min(1.0, max(0.0, done / self.days))


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def month(year: int, number: int) -> Period:
    if not 1 <= number <= 12:
        raise ValueError("month must be 1–12")
    return Period(
        date(year, number, 1),
        _month_end(year, number),
        PeriodKind.MONTH,
        f"{year:04d}-{number:02d}",
    )


def quarter(year: int, number: int) -> Period:
    """Calendar quarter ``number`` (Q1 = January–March)."""
    if not 1 <= number <= 4:
        raise ValueError("quarter must be 1–4")
    start = 3 * (number - 1) + 1
    return Period(
        date(year, start, 1),
        _month_end(year, start + 2),
        PeriodKind.QUARTER,
        f"{year:04d}-Q{number}",
    )


def fiscal_year(start_year: int) -> Period:
    """Egypt's fiscal year from 1 July ``start_year`` to 30 June of the next year: FY2026/27."""
    name = f"FY{start_year:04d}/{(start_year + 1) % 100:02d}"
    return Period(date(start_year, 7, 1), date(start_year + 1, 6, 30), PeriodKind.FISCAL_YEAR, name)


def period_of(kind: PeriodKind, day: date) -> Period:
    if kind is PeriodKind.MONTH:
        return month(day.year, day.month)
    if kind is PeriodKind.QUARTER:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    return fiscal_year(day.year if day.month >= 7 else day.year - 1)


def period_at(kind: PeriodKind, moment: datetime) -> Period:
    """The period an instant falls in, by its Cairo date."""
    return period_of(kind, cairo_date(moment))


_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_FY = re.compile(r"FY(\d{4})/(\d{2})")


def parse_period(name: str) -> Period:
    """``2026-07``, ``2026-Q3`` or ``FY2026/27``; ValueError otherwise."""
    text = name.strip().upper()
    found = _MONTH.fullmatch(text)
    if found:
        return month(int(found[1]), int(found[2]))
    found = _QUARTER.fullmatch(text)
    if found:
        return quarter(int(found[1]), int(found[2]))
    found = _FY.fullmatch(text)
    if found and (int(found[1]) + 1) % 100 == int(found[2]):
        return fiscal_year(int(found[1]))
    raise ValueError(f"not a period name: {name!r}")


class Status(StrEnum):
    MET = "met"
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"


@dataclass(frozen=True, slots=True)
class Target:
    """Baseline and target of one indicator for one jurisdiction and period."""

    indicator: str
    jurisdiction: str
    period: Period
    target: float
    baseline: float | None = None


def _as_good(value: float, than: float, better: Better) -> bool:
    return value >= than if better is Better.HIGHER else value <= than


def status(
    target: Target, achieved: float | None, better: Better, *, accumulates: bool, today: date
) -> Status:
    """Met, on track or off track, respecting better-when.

    * Met: achieved is as good as the target (for an accumulating lower-is-better count,
      only once the period is over: it can still grow).
    * A finished period that is not met is off track.
    * Running, accumulating: on track when achieved is as good as target × elapsed share.
    * Running, a rate: on track when as good as the straight path from the baseline to the
      target at the elapsed share; with no baseline there is no path: off track.
    * No achieved value (no data) is off track.
    """
    if achieved is None:
        return Status.OFF_TRACK
    finished = today >= target.period.last
    lower_count = accumulates and better is Better.LOWER
    if _as_good(achieved, target.target, better) and (finished or not lower_count):
        return Status.MET
    if finished:
        return Status.OFF_TRACK
    share = target.period.elapsed(today)
    if accumulates:
        expected = target.target * share
    elif target.baseline is None:
        return Status.OFF_TRACK
    else:
        expected = target.baseline + (target.target - target.baseline) * share
    return Status.ON_TRACK if _as_good(achieved, expected, better) else Status.OFF_TRACK


class SnapshotKind(StrEnum):
    BASELINE = "baseline"
    MID_TERM = "mid_term"
    FINAL = "final"


@dataclass(frozen=True, slots=True)
class Snapshot:
    kind: SnapshotKind
    value: float | None
    taken_at: datetime
    status: Status | None = None


class SnapshotTaken(ValueError):
    """An evaluation snapshot of that kind exists: snapshots are frozen once taken."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The baseline, mid-term and final snapshots of one indicator × jurisdiction × period."""

    indicator: str
    jurisdiction: str
    period: Period
    baseline: Snapshot | None = None
    mid_term: Snapshot | None = None
    final: Snapshot | None = None

    def taking(self, snapshot: Snapshot) -> Evaluation:
        """A new evaluation with the snapshot added; SnapshotTaken if that kind was taken."""
        name = snapshot.kind.value
        if getattr(self, name) is not None:
            raise SnapshotTaken(f"{name} snapshot of {self.indicator} already taken")
        earlier = [s for s in (self.baseline, self.mid_term, self.final) if s is not None]
        order = list(SnapshotKind)
        for other in earlier:
            if order.index(other.kind) > order.index(snapshot.kind):
                raise SnapshotTaken(f"{name} cannot follow the {other.kind.value} snapshot")
        if snapshot.kind is SnapshotKind.BASELINE:
            return replace(self, baseline=snapshot)
        if snapshot.kind is SnapshotKind.MID_TERM:
            return replace(self, mid_term=snapshot)
        return replace(self, final=snapshot)
