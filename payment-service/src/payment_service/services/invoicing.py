"""Issuing an invoice when an application enters ``awaiting_payment``.

Once per application: the kernel inbox drops a redelivered event, and a second event for
an application already invoiced finds its invoice and changes nothing (the unique
``application_id`` settles a race between two of them: the loser fails, is retried, and
then finds the winner's invoice).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.clock import cairo_date
from mahaliyat.events import CloudEvent, record
from mahaliyat.ids import new_id
from payment_service import events
from payment_service.adapters import Adapters
from payment_service.domain.invoices import InvoiceRefused, invoice_request
from payment_service.domain.numbers import invoice_number
from payment_service.models import Invoice, InvoiceLine
from payment_service.queries import counters, invoices

log = logging.getLogger(__name__)

AWAITING_PAYMENT = "awaiting_payment"


async def on_status_changed(
    session: AsyncSession, adapters: Adapters, event: CloudEvent
) -> Invoice | None:
    """The invoice of an application entering ``awaiting_payment``; None for any other change.

    Raises :class:`InvoiceRefused` (the bus retries, then dead-letters it) when the event's
    lines do not add up to its amount due, or it lacks what an invoice needs.
    """
    if event.data.get("to") != AWAITING_PAYMENT:
        return None
    try:
        wanted = invoice_request(event.data)
    except InvoiceRefused as exc:
        log.error("refusing to invoice event %s (%s): %s", event.id, event.subject, exc)
        raise
    existing = await invoices.by_application(session, wanted.application_id)
    if existing is not None:
        log.info("application %s is invoiced already (%s)", wanted.application_id, existing.number)
        return existing
    now = adapters.now()
    year = cairo_date(now).year
    sequence = await counters.next_invoice(session, wanted.governorate, year)
    invoice = Invoice(
        id=new_id(),
        number=str(invoice_number(wanted.governorate, year, sequence)),
        application_id=wanted.application_id,
        tracking_number=wanted.tracking_number,
        service_code=wanted.service_code,
        service_name_ar=wanted.service_name_ar,
        service_name_en=wanted.service_name_en,
        centre_code=wanted.centre_code,
        jurisdiction=wanted.jurisdiction,
        governorate=wanted.governorate,
        applicant_ref=wanted.applicant_ref,
        applicant_phone=wanted.applicant_phone,
        applicant_language=wanted.applicant_language,
        total_piasters=wanted.total_piasters,
        currency=wanted.currency,
        status="open",
        source_event_id=str(event.id),
        issued_at=now,
        due_at=now + timedelta(days=adapters.settings.invoice_due_days),
    )
    lines = [
        InvoiceLine(
            invoice_id=invoice.id,
            position=position,
            code=line.code,
            name_ar=line.name_ar,
            name_en=line.name_en,
            quantity=line.quantity,
            amount_piasters=line.amount_piasters,
        )
        for position, line in enumerate(wanted.lines, start=1)
    ]
    await invoices.add(session, invoice, lines)
    await record(session, events.invoice_issued(invoice, lines))
    return invoice
