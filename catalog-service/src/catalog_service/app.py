"""Catalog service (دليل الخدمات): Administrative geography, technology centres, the service catalogue with fees, search, QR pages and the unified guide."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from fastapi import FastAPI

from catalog_service import inputs
from catalog_service.adapters import Adapters
from catalog_service.api import (
    categories,
    centres,
    departments,
    fees,
    governorates,
    guide,
    mobile_stops,
    pages,
    search,
    services,
)
from catalog_service.demo_stops import DemoStopPlanner
from catalog_service.readmodel import CatalogueReadModel
from catalog_service.seeding import seed_catalogue
from catalog_service.settings import CatalogSettings
from mahaliyat.auth import TokenVerifier
from mahaliyat.events.bus import EventBus
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app

API_PREFIX = "/api/v1/catalog"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: CatalogSettings | None = None,
    *,
    bus: EventBus | None = None,
    verifier: TokenVerifier | None = None,
    today: Callable[[], date] = inputs.today,
) -> FastAPI:
    """``today`` is the demo calendar: the day mobile stops are planned from (tests move it)."""
    settings = settings or CatalogSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, bus=bus)
    read_model = CatalogueReadModel(runtime.database, check_seconds=settings.snapshot_check_seconds)
    planner = DemoStopPlanner(
        runtime.database,
        read_model,
        days=settings.mobile_schedule_days,
        interval=settings.mobile_schedule_check_seconds,
        today=today,
    )

    async def seed_and_warm(started: ServiceRuntime) -> None:
        await seed_catalogue(started.database, settings, today)
        read_model.invalidate()
        await read_model.current()
        if settings.seed_demo_data:
            planner.start()

    async def stop_planner(_runtime: ServiceRuntime) -> None:
        await planner.stop()

    # After migrations and the bus: the hook needs the read model, which needs the runtime's database.
    runtime.on_start = (*runtime.on_start, seed_and_warm)
    runtime.on_stop = (*runtime.on_stop, stop_planner)
    app = create_service_app(
        runtime=runtime,
        title="Mahaliyat Catalog — دليل الخدمات",
        description="Administrative geography, technology centres, the service catalogue with fees, search, QR pages and the unified guide.",
        api_prefix=API_PREFIX,
        # The most read first: routes are matched in order.
        routers=(
            services.router,
            search.router,
            categories.router,
            fees.router,
            centres.router,
            mobile_stops.router,
            governorates.router,
            departments.router,
        ),
        root_routers=(pages.router, guide.router),
        verifier=verifier,
    )
    app.state.adapters = Adapters(
        settings=settings,
        database=runtime.database,
        read_model=read_model,
        demo_stops=planner,
        today=today,
    )
    return app
