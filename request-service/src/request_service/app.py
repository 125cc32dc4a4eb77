"""Requests service (الطلبات): Applications from every channel, documents, tracking numbers, the front-office/back-office workflow and SLAs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from mahaliyat.auth import TokenVerifier
from mahaliyat.clock import Clock
from mahaliyat.events.bus import EventBus
from mahaliyat.http import make_client
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import create_service_app
from request_service.adapters import Adapters, CalendarCache
from request_service.api import ROUTERS
from request_service.catalogue import CatalogueReader, HttpCatalogue
from request_service.consumers import consumers
from request_service.ratelimit import FixedWindowLimiter
from request_service.services.escalation import Escalator
from request_service.services.sealer import Sealer
from request_service.settings import RequestSettings
from request_service.storage import DocumentStore
from request_service.storage.local import LocalDocumentStore
from request_service.storage.s3 import S3DocumentStore

API_PREFIX = "/api/v1/requests"
MIGRATIONS = Path(__file__).parent / "migrations"


def document_store(settings: RequestSettings) -> DocumentStore:
    if settings.document_store == "s3":
        assert settings.s3_access_key is not None
        assert settings.s3_secret_key is not None
        return S3DocumentStore(
            endpoint=settings.s3_endpoint,
            bucket=settings.s3_bucket,
            region=settings.s3_region,
            access_key=settings.s3_access_key.get_secret_value(),
            secret_key=settings.s3_secret_key.get_secret_value(),
            prefix=settings.s3_prefix,
            timeout_seconds=max(settings.http_timeout_seconds, 30.0),
        )
    return LocalDocumentStore(settings.document_root)


def create_app(
    settings: RequestSettings | None = None,
    *,
    bus: EventBus | None = None,
    catalogue: CatalogueReader | None = None,
    documents: DocumentStore | None = None,
    clock: Clock | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    settings = settings or RequestSettings()
    adapters = Adapters(
        settings=settings,
        catalogue=catalogue
        or HttpCatalogue(
            make_client(
                settings.catalog_url or settings.public_base_url,
                timeout_seconds=settings.http_timeout_seconds,
            ),
            cache_seconds=settings.catalog_cache_seconds,
        ),
        documents=documents or document_store(settings),
        inquiry_limiter=FixedWindowLimiter(settings.status_inquiry_per_minute, 60.0),
        calendars=CalendarCache(
            years_before=settings.holiday_seed_years_before,
            years_after=settings.holiday_seed_years_after,
        ),
    )
    if clock is not None:
        adapters.clock = clock
    runtime = ServiceRuntime(
        settings, migrations=MIGRATIONS, bus=bus, consumers=consumers(adapters)
    )
    escalator = Escalator(runtime.database, adapters, settings.escalation_interval_seconds)
    sealer = Sealer(
        runtime.database,
        interval=settings.audit_seal_interval_seconds,
        batch=settings.audit_seal_batch,
        checkpoint_every=timedelta(seconds=settings.audit_checkpoint_interval_seconds),
        clock=adapters.now,
    )

    async def start_watch(_runtime: ServiceRuntime) -> None:
        if settings.escalation_enabled:
            escalator.start()
        if settings.audit_sealer_enabled:
            sealer.start()

    async def close_adapters(_runtime: ServiceRuntime) -> None:
        await escalator.stop()
        await sealer.stop()  # after the escalator: it seals the escalator's last entries too
        await adapters.catalogue.close()
        await adapters.documents.close()

    runtime.on_start = (*runtime.on_start, start_watch)
    runtime.on_stop = (*runtime.on_stop, close_adapters)

    app = create_service_app(
        runtime=runtime,
        title="Mahaliyat Requests — الطلبات",
        description="Applications from every channel, documents, tracking numbers, the front-office/back-office workflow and SLAs.",
        api_prefix=API_PREFIX,
        routers=ROUTERS,
        verifier=verifier,
    )
    app.state.adapters = adapters
    database = runtime.database
    # One-row public reads (api.deps.read_connection): autocommit where it saves round trips.
    app.state.read_engine = (
        database.engine.execution_options(isolation_level="AUTOCOMMIT")
        if database.is_postgres
        else database.engine
    )
    app.state.escalator = escalator
    app.state.sealer = sealer
    return app
