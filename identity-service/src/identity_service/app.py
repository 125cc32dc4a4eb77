"""AdaptersDep service (الهوية): Tokens, citizens' one-time codes, staff accounts and roles, partner clients."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI

from identity_service.adapters import Adapters
from identity_service.api import (
    admin_audit,
    admin_citizens,
    admin_partners,
    admin_staff,
    otp,
    sessions,
    staff,
    token,
)
from identity_service.api.wellknown import discovery_router
from identity_service.seed.demo import seed_demo
from identity_service.settings import IdentitySettings
from mahaliyat.clock import Clock, system_clock
from mahaliyat.events.bus import EventBus
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app

API_PREFIX = "/api/v1/identity"
MIGRATIONS = Path(__file__).parent / "migrations"

log = logging.getLogger(__name__)


def create_app(
    settings: IdentitySettings | None = None,
    *,
    bus: EventBus | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    settings = settings or IdentitySettings()
    clock = clock or system_clock
    if settings.generate_dev_keys and settings.is_production_like:
        log.warning(
            "generate_dev_keys is ignored in %s: create keys with rotate-keys", settings.environment
        )
    adapters = Adapters.from_settings(settings, clock)

    async def seed(runtime: ServiceRuntime) -> None:
        if not settings.seed_demo_data:
            return
        if settings.is_production_like:
            log.warning("seed_demo_data is ignored in %s: no demo identities", settings.environment)
            return
        async with runtime.database.unit_of_work() as uow:
            await seed_demo(uow.session, adapters)

    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, bus=bus, on_start=[seed])
    app = create_service_app(
        runtime=runtime,
        title="Mahaliyat AdaptersDep — الهوية",
        description="Tokens, citizens' one-time codes, staff accounts and roles, partner clients.",
        api_prefix=API_PREFIX,
        routers=[
            otp.router,
            staff.router,
            token.router,
            sessions.router,
            admin_staff.router,
            admin_partners.router,
            admin_citizens.router,
            admin_audit.router,
        ],
        root_routers=[discovery_router(API_PREFIX)],
        verifier=adapters.verifier,
    )
    app.state.adapters = adapters
    return app
