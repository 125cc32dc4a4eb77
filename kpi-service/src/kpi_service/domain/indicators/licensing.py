"""Licensing: statutory clocks, deemed approvals, inspection backlog."""

from __future__ import annotations

from kpi_service.domain.indicators.base import H, Indicator, L, define, ratio

LICENSING: tuple[Indicator, ...] = (
    define(
        "LIC_CLOCK_MET",
        "الالتزام بالمدد القانونية",
        "Statutory clocks met",
        "cases whose final decision (latest approved/rejected, or deemed approval) met the clock ÷ cases decided; a deemed approval never meets it",
        "share",
        H,
        ("licensing.decision_made", "licensing.deemed_approved"),
        lambda v: ratio(v.flow.clocks_met, v.flow.cases_decided),
        group="licensing",
    ),
    define(
        "LIC_DEEMED",
        "الموافقات الضمنية",
        "Deemed approvals",
        "cases approved by silence (the clock ran out) in the period",
        "cases",
        L,
        ("licensing.deemed_approved",),
        lambda v: v.flow.deemed_approvals,
        accumulates=True,
        group="licensing",
    ),
    define(
        "LIC_INSPECTION_BACKLOG",
        "المعاينات المنتظرة",
        "Inspection backlog",
        "inspections required at case opening, not yet recorded, of cases not finally decided, at the end of the last day",
        "inspections",
        L,
        (
            "licensing.case_opened",
            "licensing.inspection_recorded",
            "licensing.decision_made",
            "licensing.deemed_approved",
        ),
        lambda v: v.stock.inspections_due - v.stock.inspections_done,
        group="licensing",
    ),
)
