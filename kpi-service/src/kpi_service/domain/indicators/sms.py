"""SMS: the delivery rate of notification messages (national only)."""

from __future__ import annotations

from kpi_service.domain.indicators.base import H, Indicator, define, ratio

SMS: tuple[Indicator, ...] = (
    define(
        "SMS_DELIVERY_RATE",
        "نسبة وصول الرسائل",
        "SMS delivery rate",
        "messages whose latest receipt is delivered ÷ messages with a receipt (delivered or failed), by the day of their first event; national only",
        "share",
        H,
        ("notification.sms.sent", "notification.sms.delivered", "notification.sms.failed"),
        lambda v: ratio(v.flow.sms_delivered, v.flow.sms_delivered + v.flow.sms_failed),
        group="sms",
    ),
)
