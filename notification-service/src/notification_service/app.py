"""Notifications service (الإشعارات): Arabic-first SMS from events, providers with failover, delivery receipts and status inquiry by SMS."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx
from fastapi import FastAPI

from mahaliyat.clock import system_clock
from mahaliyat.events.bus import EventBus
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app
from notification_service.adapters import Adapters, Clock, build_adapters
from notification_service.api import messages, sms, templates
from notification_service.api import providers as webhooks
from notification_service.consumers import consumers
from notification_service.providers.base import SmsProvider
from notification_service.services import templates as template_admin
from notification_service.services.sender import Sender
from notification_service.settings import NotificationSettings

API_PREFIX = "/api/v1/notifications"
MIGRATIONS = Path(__file__).parent / "migrations"


def build_runtime(
    settings: NotificationSettings,
    *,
    bus: EventBus | None = None,
    clock: Clock = system_clock,
    providers: Sequence[SmsProvider] | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[ServiceRuntime, Adapters, Sender]:
    """The kernel runtime with the consumers and the sender loop, started after the
    consumers and stopped first; the adapters and the sender it runs."""
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, bus=bus)
    adapters = build_adapters(
        settings, runtime.database, clock=clock, providers=providers, http_transport=http_transport
    )
    sender = Sender(adapters)
    adapters.wake = sender.wake

    async def start(_runtime: ServiceRuntime) -> None:
        async with runtime.database.unit_of_work() as uow:
            await template_admin.seed_defaults(uow.session, adapters, adapters.now())
        if settings.sender_enabled:
            sender.start()

    async def stop(_runtime: ServiceRuntime) -> None:
        # Kernel stop hooks run before the relay, bus and database go, also after a failed start.
        await sender.stop()
        await adapters.close()

    runtime.consumers = consumers(adapters)
    runtime.on_start = (*runtime.on_start, start)
    runtime.on_stop = (*runtime.on_stop, stop)
    return runtime, adapters, sender


def create_app(
    settings: NotificationSettings | None = None,
    *,
    bus: EventBus | None = None,
    clock: Clock = system_clock,
    providers: Sequence[SmsProvider] | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The service's app. ``clock``, ``providers`` and ``http_transport`` are for tests and benchmarks."""
    settings = settings or NotificationSettings()
    runtime, adapters, sender = build_runtime(
        settings, bus=bus, clock=clock, providers=providers, http_transport=http_transport
    )
    app = create_service_app(
        runtime=runtime,
        title="Mahaliyat Notifications — الإشعارات",
        description="Arabic-first SMS from events, providers with failover, delivery receipts and status inquiry by SMS.",
        api_prefix=API_PREFIX,
        routers=[sms.router, messages.router, templates.router, webhooks.router],
    )
    app.state.adapters = adapters
    app.state.sender = sender
    return app
