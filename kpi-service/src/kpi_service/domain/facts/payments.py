"""Facts from payment-service: a payment succeeded, a refund was made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from kpi_service.domain.days import WorkingDays
from kpi_service.domain.facts.reader import Builder, Dims, Reader


@dataclass(frozen=True, slots=True)
class PaymentSucceeded:
    """``payment.succeeded``."""

    event_id: str
    at: datetime
    payment_id: str
    dims: Dims
    method: str
    amount_piasters: int
    application_id: str | None = None
    invoice_id: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentRefunded:
    """``payment.refunded``."""

    event_id: str
    at: datetime
    refund_id: str
    dims: Dims
    method: str
    amount_piasters: int
    payment_id: str | None = None


PaymentFact = PaymentSucceeded | PaymentRefunded


def _payment_succeeded(
    r: Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> PaymentSucceeded:
    return PaymentSucceeded(
        event_id=event_id,
        at=r.instant_or("paid_at", at),
        payment_id=r.identifier("payment_id", subject),
        dims=r.dims(channel_required=False),
        method=r.text("method"),
        amount_piasters=r.integer("amount_piasters", minimum=1) or 0,
        application_id=r.optional_text("application_id"),
        invoice_id=r.optional_text("invoice_id"),
    )


def _payment_refunded(
    r: Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> PaymentRefunded:
    return PaymentRefunded(
        event_id=event_id,
        at=r.instant_or("refunded_at", at),
        refund_id=r.identifier("refund_id", subject),
        dims=r.dims(channel_required=False),
        method=r.text("method"),
        amount_piasters=r.integer("amount_piasters", minimum=1) or 0,
        payment_id=r.optional_text("payment_id"),
    )


BUILDERS: Mapping[str, Builder[PaymentFact]] = {
    "payment.succeeded": _payment_succeeded,
    "payment.refunded": _payment_refunded,
}
