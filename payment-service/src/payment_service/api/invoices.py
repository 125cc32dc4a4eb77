"""Invoices: by number, and by application (the citizen who owns it, finance staff, services)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.web import Session
from payment_service.api.deps import AdaptersDep
from payment_service.schemas import InvoiceOut
from payment_service.services import invoices

router = APIRouter(prefix="/invoices", tags=["invoices"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token"},
    404: {"description": "no such invoice, or not the caller's"},
}


@router.get("/{number}", response_model=InvoiceOut, responses=PROBLEMS, summary="An invoice")
async def by_number(
    number: str, session: Session, principal: CurrentPrincipal, adapters: AdaptersDep
) -> InvoiceOut:
    invoice, lines = await invoices.by_number(session, adapters, principal, number)
    return InvoiceOut.of(invoice, lines)


@router.get(
    "",
    response_model=list[InvoiceOut],
    responses=PROBLEMS,
    summary="The invoices of an application (at most one)",
)
async def of_application(
    application_id: Annotated[uuid.UUID, Query()],
    session: Session,
    principal: CurrentPrincipal,
    adapters: AdaptersDep,
) -> list[InvoiceOut]:
    found = await invoices.of_application(session, adapters, principal, application_id)
    return [InvoiceOut.of(invoice, lines) for invoice, lines in found]
