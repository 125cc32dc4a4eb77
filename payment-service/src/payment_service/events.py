"""The events this service publishes (docs/contracts.md, payment-service events)."""

from __future__ import annotations

from collections.abc import Sequence

from mahaliyat import context
from mahaliyat.events import CloudEvent
from payment_service.models import Invoice, InvoiceLine

SOURCE = "/payment"


def invoice_issued(invoice: Invoice, lines: Sequence[InvoiceLine]) -> CloudEvent:
    return CloudEvent(
        source=SOURCE,
        type="payment.invoice_issued",
        subject=str(invoice.id),
        time=invoice.issued_at,
        requestid=context.request_id.get(),
        data={
            "invoice_id": str(invoice.id),
            "invoice_number": invoice.number,
            "application_id": str(invoice.application_id),
            "tracking_number": invoice.tracking_number,
            "service_code": invoice.service_code,
            "service_name": {"ar": invoice.service_name_ar, "en": invoice.service_name_en},
            "centre_code": invoice.centre_code,
            "jurisdiction": invoice.jurisdiction,
            "governorate": invoice.governorate,
            "applicant": {
                "ref": invoice.applicant_ref,
                "phone": invoice.applicant_phone,
                "language": invoice.applicant_language,
            },
            "lines": [
                {
                    "code": line.code,
                    "name": {"ar": line.name_ar, "en": line.name_en},
                    "quantity": line.quantity,
                    "amount_piasters": line.amount_piasters,
                }
                for line in lines
            ],
            "total_piasters": invoice.total_piasters,
            "currency": invoice.currency,
            "issued_at": invoice.issued_at.isoformat(),
            "due_at": invoice.due_at.isoformat(),
        },
    )
