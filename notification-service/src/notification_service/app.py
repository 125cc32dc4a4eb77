"""Notifications service (الإشعارات): Arabic-first SMS from events, providers with failover, delivery receipts and status inquiry by SMS."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx
from fastapi import FastAPI

from mahaliyat.clock import Clock, system_clock
from mahaliyat.events.bus import EventBus
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app
from notification_service.api import providers as webhooks
from notification_service.api import sms, templates
from notification_service.providers.base import SmsProvider
from notification_service.service import Notifications
from notification_service.settings import NotificationSettings

API_PREFIX = "/api/v1/notifications"
MIGRATIONS = Path(__file__).parent / "migrations"


class NotificationRuntime(ServiceRuntime):
    """The kernel runtime plus the sender loop, started after the consumers and stopped first."""

    def __init__(
        self,
        settings: NotificationSettings,
        *,
        bus: EventBus | None = None,
        clock: Clock = system_clock,
        providers: Sequence[SmsProvider] | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            settings, migrations=MIGRATIONS, bus=bus, on_start=(self._start,), on_stop=(self._stop,)
        )
        self.notifications = Notifications(
            settings,
            self.database,
            clock=clock,
            providers=providers,
            http_transport=http_transport,
        )
        self.consumers = self.notifications.consumers()

    async def _start(self, _runtime: ServiceRuntime) -> None:
        await self.notifications.start()

    async def _stop(self, _runtime: ServiceRuntime) -> None:
        # Kernel stop hooks run before the relay, bus and database go, also after a failed start.
        await self.notifications.close()


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
    runtime = NotificationRuntime(
        settings, bus=bus, clock=clock, providers=providers, http_transport=http_transport
    )
    app = create_service_app(
        runtime=runtime,
        title="Mahaliyat Notifications — الإشعارات",
        description="Arabic-first SMS from events, providers with failover, delivery receipts and status inquiry by SMS.",
        api_prefix=API_PREFIX,
        routers=[sms.router, templates.router, webhooks.router],
    )
    app.state.notifications = runtime.notifications
    return app
