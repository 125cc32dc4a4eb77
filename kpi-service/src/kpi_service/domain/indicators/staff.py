"""Staff indicators, computed with ``Scope.officer`` set (officer = ``officer_ref`` of
``request.completed``)."""

from __future__ import annotations

from kpi_service.domain.indicators.base import (
    CHANGED,
    DONE,
    HOUR,
    H,
    Indicator,
    L,
    View,
    define,
    median,
    ratio,
)


def _handling_hours(v: View) -> float | None:
    found = median(v.flow.handling)
    return None if found is None else found / HOUR


STAFF: tuple[Indicator, ...] = (
    define(
        "STAFF_THROUGHPUT",
        "إنتاجية الموظف",
        "Officer throughput",
        "decided applications whose officer_ref is the officer, in the period",
        "applications",
        H,
        DONE,
        lambda v: v.flow.decided,
        accumulates=True,
        group="staff",
    ),
    define(
        "STAFF_MEDIAN_HANDLING_HOURS",
        "وسيط زمن المعالجة",
        "Median handling time",
        "median processing_seconds (time in in_processing) of the officer's decided applications, hours",
        "hours",
        L,
        DONE,
        _handling_hours,
        group="staff",
    ),
    define(
        "STAFF_SLA_COMPLIANCE",
        "التزام الموظف بزمن الخدمة",
        "Officer SLA compliance",
        "as BO_SLA_COMPLIANCE over the officer's decided applications",
        "share",
        H,
        DONE,
        lambda v: ratio(v.flow.sla_met, v.flow.sla_met + v.flow.sla_missed),
        group="staff",
    ),
    define(
        "STAFF_RETURNED_SHARE",
        "نسبة الإعادة للموظف",
        "Officer returned share",
        "as FO_RETURNED_SHARE over the officer's decided applications",
        "share",
        L,
        (*DONE, *CHANGED),
        lambda v: ratio(v.flow.returned, v.flow.decided),
        group="staff",
    ),
)
