"""Front office: intake per clerk, time to first action, returns to the citizen."""

from __future__ import annotations

from kpi_service.domain.indicators.base import (
    CHANGED,
    DONE,
    HOUR,
    REQ,
    H,
    Indicator,
    L,
    View,
    define,
    mean,
    ratio,
)


def _per_clerk_day(v: View) -> float | None:
    pairs = {(k.officer, k.day) for k, c in v.cells if k.officer is not None and c.filed > 0}
    taken = sum(c.filed for k, c in v.cells if k.officer is not None)
    return None if not pairs else taken / len(pairs)


def _first_time_right(v: View) -> float | None:
    share = ratio(v.flow.returned, v.flow.decided)
    return None if share is None else 1 - share


FRONT_OFFICE: tuple[Indicator, ...] = (
    define(
        "FO_INTAKE_PER_CLERK_DAY",
        "الطلبات لكل موظف يوميًا",
        "Applications taken in per clerk and day",
        "applications taken in by a named clerk ÷ distinct (clerk, Cairo day) pairs with at least one",
        "applications/clerk-day",
        H,
        REQ,
        _per_clerk_day,
        group="front_office",
    ),
    define(
        "FO_FIRST_ACTION_HOURS",
        "زمن أول إجراء",
        "Time from filing to first action",
        "mean of (first staff status change − filing), hours; changes by citizen, partner or system are not actions",
        "hours",
        L,
        (*REQ, *CHANGED),
        lambda v: mean(v.flow.first_action_seconds, v.flow.first_actions, HOUR),
        group="front_office",
    ),
    define(
        "FO_RETURNED_SHARE",
        "نسبة الطلبات المعادة للمواطن",
        "Share returned to the citizen",
        "decided applications ever returned_to_citizen ÷ decided applications (approved + rejected)",
        "share",
        L,
        (*DONE, *CHANGED),
        lambda v: ratio(v.flow.returned, v.flow.decided),
        group="front_office",
    ),
    define(
        "FO_FIRST_TIME_RIGHT",
        "الصحة من أول مرة",
        "First-time-right",
        "1 − share returned to the citizen",
        "share",
        H,
        (*DONE, *CHANGED),
        _first_time_right,
        group="front_office",
    ),
)
