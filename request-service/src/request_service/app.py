"""Requests service (الطلبات): Applications from every channel, documents, tracking numbers, the front-office/back-office workflow and SLAs."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mahaliyat.events.bus import EventBus
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app
from request_service.settings import RequestSettings

API_PREFIX = "/api/v1/requests"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RequestSettings | None = None, *, bus: EventBus | None = None) -> FastAPI:
    settings = settings or RequestSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, bus=bus)
    return create_service_app(
        runtime=runtime,
        title="Mahaliyat Requests — الطلبات",
        description="Applications from every channel, documents, tracking numbers, the front-office/back-office workflow and SLAs.",
        api_prefix=API_PREFIX,
    )
