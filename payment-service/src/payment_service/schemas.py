"""Request and response models: the shapes of docs/contracts.md (payment-service)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel

from payment_service.models import Invoice, InvoiceLine


class Text(BaseModel):
    ar: str
    en: str


class InvoiceLineOut(BaseModel):
    code: str | None
    name: Text
    quantity: str
    amount_piasters: int


class InvoiceOut(BaseModel):
    id: uuid.UUID
    number: str
    application_id: uuid.UUID
    tracking_number: str
    service_code: str
    service_name: Text
    centre_code: str | None
    jurisdiction: str
    governorate: str
    status: str
    lines: list[InvoiceLineOut]
    total_piasters: int
    currency: str
    issued_at: datetime
    due_at: datetime

    @classmethod
    def of(cls, invoice: Invoice, lines: Sequence[InvoiceLine]) -> InvoiceOut:
        return cls(
            id=invoice.id,
            number=invoice.number,
            application_id=invoice.application_id,
            tracking_number=invoice.tracking_number,
            service_code=invoice.service_code,
            service_name=Text(ar=invoice.service_name_ar, en=invoice.service_name_en),
            centre_code=invoice.centre_code,
            jurisdiction=invoice.jurisdiction,
            governorate=invoice.governorate,
            status=invoice.status,
            lines=[
                InvoiceLineOut(
                    code=line.code,
                    name=Text(ar=line.name_ar, en=line.name_en),
                    quantity=line.quantity,
                    amount_piasters=line.amount_piasters,
                )
                for line in lines
            ],
            total_piasters=invoice.total_piasters,
            currency=invoice.currency,
            issued_at=invoice.issued_at,
            due_at=invoice.due_at,
        )
