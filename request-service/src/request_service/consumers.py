"""The events this service consumes: one durable queue each, every handler calling a use case.

Kept apart from ``events.py`` (the events it publishes): the use cases import those,
and these handlers import the use cases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.events import CloudEvent
from mahaliyat.runtime import Consumer
from request_service.adapters import Adapters
from request_service.services import payments


def _service_code(data: dict[str, Any]) -> str | None:
    for key in ("code", "service_code", "service"):
        value = data.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and isinstance(value.get("code"), str):
            return str(value["code"])
    return None


def consumers(adapters: Adapters) -> list[Consumer]:
    async def on_payment(session: AsyncSession, event: CloudEvent) -> None:
        await payments.payment_succeeded(session, adapters, event)

    async def on_catalogue(session: AsyncSession, event: CloudEvent) -> None:
        # Each replica keeps its own cache and only one replica gets the event: the TTL bounds the rest.
        adapters.catalogue.invalidate(_service_code(event.data))

    async def on_centre(session: AsyncSession, event: CloudEvent) -> None:
        # The event carries the centre as GET /centres/{code} answers it (docs/contracts.md).
        code = event.data.get("code")
        adapters.catalogue.invalidate_centre(code if isinstance(code, str) else None)

    return [
        Consumer("payments", ("payment.succeeded",), on_payment),
        Consumer("catalogue", ("catalog.service.*", "catalog.fee.changed"), on_catalogue),
        Consumer("centres", ("catalog.centre.updated",), on_centre),
    ]
