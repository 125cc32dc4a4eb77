"""Catalog service (دليل الخدمات): Administrative geography, technology centres, the service catalogue with fees, search, QR pages and the unified guide."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from catalog_service.settings import CatalogSettings
from mahaliyat.events.bus import EventBus
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app

API_PREFIX = "/api/v1/catalog"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: CatalogSettings | None = None, *, bus: EventBus | None = None) -> FastAPI:
    settings = settings or CatalogSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, bus=bus)
    return create_service_app(
        runtime=runtime,
        title="Mahaliyat Catalog — دليل الخدمات",
        description="Administrative geography, technology centres, the service catalogue with fees, search, QR pages and the unified guide.",
        api_prefix=API_PREFIX,
    )
