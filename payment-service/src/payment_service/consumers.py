"""The events this service consumes: one durable queue each, every handler calling a use case."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.events import CloudEvent
from mahaliyat.runtime import Consumer
from payment_service.adapters import Adapters
from payment_service.services import invoicing


def consumers(adapters: Adapters) -> list[Consumer]:
    async def on_status_changed(session: AsyncSession, event: CloudEvent) -> None:
        await invoicing.on_status_changed(session, adapters, event)

    return [Consumer("invoices", ("request.status_changed",), on_status_changed)]
