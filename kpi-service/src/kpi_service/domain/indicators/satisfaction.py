"""Citizen satisfaction: mean score, share satisfied, answers."""

from __future__ import annotations

from kpi_service.domain.indicators.base import H, Indicator, define, mean, ratio

SATISFACTION: tuple[Indicator, ...] = (
    define(
        "SAT_MEAN",
        "متوسط رضا المواطنين",
        "Citizen satisfaction",
        "mean score (1–5) of the first answer per application",
        "score",
        H,
        ("kpi.satisfaction.recorded",),
        lambda v: mean(v.flow.score_sum, v.flow.answers, 1),
        group="satisfaction",
    ),
    define(
        "SAT_SHARE",
        "نسبة الراضين",
        "Share satisfied",
        "answers scoring 4 or 5 ÷ answers",
        "share",
        H,
        ("kpi.satisfaction.recorded",),
        lambda v: ratio(v.flow.satisfied, v.flow.answers),
        group="satisfaction",
    ),
    define(
        "SAT_ANSWERS",
        "عدد التقييمات",
        "Answers",
        "count of applications answered (first answer each)",
        "answers",
        H,
        ("kpi.satisfaction.recorded",),
        lambda v: v.flow.answers,
        accumulates=True,
        group="satisfaction",
    ),
)
