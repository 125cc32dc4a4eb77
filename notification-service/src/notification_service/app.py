"""Notifications service (الإشعارات): Arabic-first SMS from events, providers with failover, delivery receipts and status inquiry by SMS."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mahaliyat.events.bus import EventBus
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app
from notification_service.settings import NotificationSettings

API_PREFIX = "/api/v1/notifications"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: NotificationSettings | None = None, *, bus: EventBus | None = None
) -> FastAPI:
    settings = settings or NotificationSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, bus=bus)
    return create_service_app(
        runtime=runtime,
        title="Mahaliyat Notifications — الإشعارات",
        description="Arabic-first SMS from events, providers with failover, delivery receipts and status inquiry by SMS.",
        api_prefix=API_PREFIX,
    )
