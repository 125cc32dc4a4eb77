"""Revenue: collected, refunded, net (piasters)."""

from __future__ import annotations

from kpi_service.domain.indicators.base import H, Indicator, L, define

REVENUE: tuple[Indicator, ...] = (
    define(
        "REV_COLLECTED",
        "الإيرادات المحصلة",
        "Revenue collected",
        "sum of amount_piasters of payments succeeded in the period (one per payment_id)",
        "piasters",
        H,
        ("payment.succeeded",),
        lambda v: v.flow.revenue_piasters,
        accumulates=True,
        group="revenue",
    ),
    define(
        "REV_REFUNDED",
        "المبالغ المستردة",
        "Refunds",
        "sum of amount_piasters of refunds in the period (one per refund_id)",
        "piasters",
        L,
        ("payment.refunded",),
        lambda v: v.flow.refunded_piasters,
        accumulates=True,
        group="revenue",
    ),
    define(
        "REV_NET",
        "صافي الإيرادات",
        "Net revenue",
        "revenue collected − refunds",
        "piasters",
        H,
        ("payment.succeeded", "payment.refunded"),
        lambda v: v.flow.revenue_piasters - v.flow.refunded_piasters,
        accumulates=True,
        group="revenue",
    ),
)
