"""Identity service (الهوية): Tokens, citizens' one-time codes, staff accounts and roles, partner clients."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from identity_service.settings import IdentitySettings
from mahaliyat.events.bus import EventBus
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app

API_PREFIX = "/api/v1/identity"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: IdentitySettings | None = None, *, bus: EventBus | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, bus=bus)
    return create_service_app(
        runtime=runtime,
        title="Mahaliyat Identity — الهوية",
        description="Tokens, citizens' one-time codes, staff accounts and roles, partner clients.",
        api_prefix=API_PREFIX,
    )
