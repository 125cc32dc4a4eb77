from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kpi_service.domain.indicators import Better
from kpi_service.domain.periods import (
    Evaluation,
    PeriodKind,
    Snapshot,
    SnapshotKind,
    SnapshotTaken,
    Status,
    Target,
    fiscal_year,
    month,
    parse_period,
    period_at,
    period_of,
    quarter,
    status,
)


def test_fiscal_year_runs_july_to_june() -> None:
    fy = fiscal_year(2026)
    assert (fy.first, fy.last, fy.name, fy.days) == (
        date(2026, 7, 1),
        date(2027, 6, 30),
        "FY2026/27",
        365,
    )
    assert period_of(PeriodKind.FISCAL_YEAR, date(2027, 6, 30)) == fy
    assert period_of(PeriodKind.FISCAL_YEAR, date(2026, 6, 30)).name == "FY2025/26"
    assert fiscal_year(2099).name == "FY2099/00"


def test_months_quarters_names_and_cairo_dates() -> None:
    assert month(2028, 2).last == date(2028, 2, 29)
    assert quarter(2026, 4).first == date(2026, 10, 1)
    assert quarter(2026, 4).last == date(2026, 12, 31)
    for name in ("2026-07", "2026-Q3", "FY2026/27"):
        assert parse_period(name).name == name
    for bad in ("2026-13", "FY2026/28", "2026", "Q3"):
        with pytest.raises(ValueError, match=r"period|month"):
            parse_period(bad)
    # 22:30 UTC on 30 June is 1 July in Cairo (summer time): the next fiscal year
    assert (
        period_at(PeriodKind.FISCAL_YEAR, datetime(2026, 6, 30, 22, 30, tzinfo=UTC)).name
        == "FY2026/27"
    )


def test_status_respects_better_when_and_time() -> None:
    m = month(2026, 4)  # 30 days
    mid = date(2026, 4, 15)  # half gone
    rate = Target("BO_SLA_COMPLIANCE", "21", m, target=0.9, baseline=0.7)
    assert status(rate, 0.91, Better.HIGHER, accumulates=False, today=mid) is Status.MET
    assert status(rate, 0.81, Better.HIGHER, accumulates=False, today=mid) is Status.ON_TRACK
    assert status(rate, 0.79, Better.HIGHER, accumulates=False, today=mid) is Status.OFF_TRACK
    assert (
        status(rate, 0.85, Better.HIGHER, accumulates=False, today=date(2026, 4, 30))
        is Status.OFF_TRACK
    )
    time = Target("BO_PROCESSING_DAYS", "21", m, target=5, baseline=9)
    assert status(time, 6.9, Better.LOWER, accumulates=False, today=mid) is Status.ON_TRACK
    assert status(time, 4, Better.LOWER, accumulates=False, today=mid) is Status.MET
    volume = Target("VOL_FILED", "21", m, target=1000)
    assert status(volume, 500, Better.HIGHER, accumulates=True, today=mid) is Status.ON_TRACK
    assert status(volume, 400, Better.HIGHER, accumulates=True, today=mid) is Status.OFF_TRACK
    escalations = Target("BO_ESCALATIONS", "21", m, target=10)
    assert status(escalations, 3, Better.LOWER, accumulates=True, today=mid) is Status.ON_TRACK
    assert (
        status(escalations, 3, Better.LOWER, accumulates=True, today=date(2026, 5, 1)) is Status.MET
    )
    assert status(escalations, 11, Better.LOWER, accumulates=True, today=mid) is Status.OFF_TRACK
    assert status(rate, None, Better.HIGHER, accumulates=False, today=mid) is Status.OFF_TRACK


def test_snapshots_are_frozen_once_taken() -> None:
    at = datetime(2026, 7, 1, tzinfo=UTC)
    e = Evaluation("SAT_MEAN", "21", fiscal_year(2026))
    e1 = e.taking(Snapshot(SnapshotKind.BASELINE, 3.2, at))
    assert e.baseline is None  # the old value is untouched
    e2 = e1.taking(Snapshot(SnapshotKind.FINAL, 4.0, at, Status.MET))
    with pytest.raises(SnapshotTaken):
        e2.taking(Snapshot(SnapshotKind.BASELINE, 1.0, at))
    with pytest.raises(SnapshotTaken):
        e2.taking(Snapshot(SnapshotKind.MID_TERM, 3.5, at))  # after the final
    with pytest.raises(AttributeError):
        e2.baseline = None  # type: ignore[misc]
