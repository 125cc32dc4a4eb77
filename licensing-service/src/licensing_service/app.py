"""Licensing service (التراخيص): Building permits (Law 119/2008) and shop licences (Law 154/2019): review, inspection, decision, certificates."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from licensing_service.settings import LicensingSettings
from mahaliyat.events.bus import EventBus
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app

API_PREFIX = "/api/v1/licensing"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: LicensingSettings | None = None, *, bus: EventBus | None = None
) -> FastAPI:
    settings = settings or LicensingSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, bus=bus)
    return create_service_app(
        runtime=runtime,
        title="Mahaliyat Licensing — التراخيص",
        description="Building permits (Law 119/2008) and shop licences (Law 154/2019): review, inspection, decision, certificates.",
        api_prefix=API_PREFIX,
    )
