"""Invoices and their lines."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from payment_service.models import Invoice, InvoiceLine


async def by_application(session: AsyncSession, application_id: uuid.UUID) -> Invoice | None:
    result: Invoice | None = await session.scalar(
        select(Invoice).where(Invoice.application_id == application_id)
    )
    return result


async def by_number(session: AsyncSession, number: str) -> Invoice | None:
    result: Invoice | None = await session.scalar(select(Invoice).where(Invoice.number == number))
    return result


async def lines_of(session: AsyncSession, invoice_id: uuid.UUID) -> list[InvoiceLine]:
    rows = await session.scalars(
        select(InvoiceLine)
        .where(InvoiceLine.invoice_id == invoice_id)
        .order_by(InvoiceLine.position)
    )
    return list(rows)


async def add(session: AsyncSession, invoice: Invoice, lines: Sequence[InvoiceLine]) -> None:
    """Insert the invoice, then its lines (flushed: a second invoice of the application fails here)."""
    session.add(invoice)
    await session.flush()
    session.add_all(lines)
    await session.flush()
