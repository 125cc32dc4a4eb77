"""Performance indicators service (مؤشرات الأداء): Facts from every event, rollups, indicators against targets, drill-down by jurisdiction, dashboard."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from kpi_service.settings import KpiSettings
from mahaliyat.events.bus import EventBus
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app

API_PREFIX = "/api/v1/kpi"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: KpiSettings | None = None, *, bus: EventBus | None = None) -> FastAPI:
    settings = settings or KpiSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, bus=bus)
    return create_service_app(
        runtime=runtime,
        title="Mahaliyat Performance indicators — مؤشرات الأداء",
        description="Facts from every event, rollups, indicators against targets, drill-down by jurisdiction, dashboard.",
        api_prefix=API_PREFIX,
    )
