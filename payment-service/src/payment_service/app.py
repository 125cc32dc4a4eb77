"""Payments service (المدفوعات): Invoices from fee snapshots, payment providers, signed webhooks, refunds, receipts and reconciliation."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mahaliyat.auth import TokenVerifier
from mahaliyat.clock import Clock
from mahaliyat.events.bus import EventBus
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app
from payment_service.adapters import Adapters
from payment_service.api import ROUTERS
from payment_service.consumers import consumers
from payment_service.settings import PaymentSettings

API_PREFIX = "/api/v1/payments"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: PaymentSettings | None = None,
    *,
    bus: EventBus | None = None,
    clock: Clock | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    settings = settings or PaymentSettings()
    adapters = Adapters(settings=settings)
    if clock is not None:
        adapters.clock = clock
    runtime = ServiceRuntime(
        settings, migrations=MIGRATIONS, bus=bus, consumers=consumers(adapters)
    )
    app = create_service_app(
        runtime=runtime,
        title="Mahaliyat Payments — المدفوعات",
        description="Invoices from fee snapshots, payment providers, signed webhooks, refunds, receipts and reconciliation.",
        api_prefix=API_PREFIX,
        routers=ROUTERS,
        verifier=verifier,
    )
    app.state.adapters = adapters
    return app
