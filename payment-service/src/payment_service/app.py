"""Payments service (المدفوعات): Invoices from fee snapshots, payment providers, signed webhooks, refunds, receipts and reconciliation."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mahaliyat.events.bus import EventBus
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app
from payment_service.settings import PaymentSettings

API_PREFIX = "/api/v1/payments"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: PaymentSettings | None = None, *, bus: EventBus | None = None) -> FastAPI:
    settings = settings or PaymentSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, bus=bus)
    return create_service_app(
        runtime=runtime,
        title="Mahaliyat Payments — المدفوعات",
        description="Invoices from fee snapshots, payment providers, signed webhooks, refunds, receipts and reconciliation.",
        api_prefix=API_PREFIX,
    )
