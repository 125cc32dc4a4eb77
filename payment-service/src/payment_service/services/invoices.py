"""Reading invoices: the citizen who owns one, finance staff and auditors over its jurisdiction, services.

Anyone else, and anything outside the caller's jurisdiction, gets 404: an invoice's
existence is not revealed.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import Principal
from mahaliyat.problems import Problem
from payment_service.adapters import Adapters
from payment_service.domain.applicants import owner_refs
from payment_service.domain.numbers import parse_invoice_number
from payment_service.models import Invoice, InvoiceLine
from payment_service.queries import invoices

STAFF_READERS = ("finance", "auditor")


def may_read(adapters: Adapters, principal: Principal, invoice: Invoice) -> bool:
    if principal.kind == "service":
        return True
    if principal.kind == "citizen":
        refs = owner_refs(adapters.applicant_ref_key, principal.subject, principal.claims)
        return invoice.applicant_ref in refs
    if principal.kind == "staff":
        return principal.can(STAFF_READERS, invoice.jurisdiction)
    return False  # partners: the invoices of applications they filed come with a later slice


def _not_found() -> Problem:
    return Problem(404, "not_found", "no such invoice")


async def by_number(
    session: AsyncSession, adapters: Adapters, principal: Principal, text: str
) -> tuple[Invoice, list[InvoiceLine]]:
    number = parse_invoice_number(text)
    invoice = None if number is None else await invoices.by_number(session, str(number))
    if invoice is None or not may_read(adapters, principal, invoice):
        raise _not_found()
    return invoice, await invoices.lines_of(session, invoice.id)


async def of_application(
    session: AsyncSession, adapters: Adapters, principal: Principal, application_id: uuid.UUID
) -> list[tuple[Invoice, list[InvoiceLine]]]:
    """The application's invoices the caller may read (at most one: an empty list otherwise)."""
    invoice = await invoices.by_application(session, application_id)
    if invoice is None or not may_read(adapters, principal, invoice):
        return []
    return [(invoice, await invoices.lines_of(session, invoice.id))]
