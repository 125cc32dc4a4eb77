"""The request service on each backend, with an in-memory catalogue, a settable clock and test tokens."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text

from mahaliyat.db import Database
from mahaliyat.events import CloudEvent, InProcessBus, outbox
from mahaliyat.events.bus import EventBus
from request_service.app import create_app
from request_service.settings import RequestSettings
from tests.request import tokens
from tests.request.fakes import START, InMemoryCatalogue
from tests.request.tokens import People
from tests.support.clock import FakeClock

PREFIX = "/api/v1/requests"
NATIONAL_ID = tokens.NATIONAL_ID  # born 1985-03-12 in Giza
OTHER_NATIONAL_ID = tokens.OTHER_NATIONAL_ID  # born 1990-01-01 in Alexandria
PHONE = "01012345678"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)


def applicant(
    national_id: str = NATIONAL_ID, phone: str = PHONE, language: str = "ar"
) -> dict[str, str]:
    return {"national_id": national_id, "phone": phone, "language": language}


def building(governorate: str | None = "21", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "service_code": "BLD-001",
        "applicant": applicant(),
        "form": {"area": 120, "floors": 3, "usage": "residential"},
    }
    if governorate is not None:
        body["governorate"] = governorate
    body.update(extra)
    return body


def certificate(centre: str | None = "21-03-F01", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "service_code": "CIV-001",
        "applicant": applicant(),
        "form": {"purpose": "تقديمها للبنك"},
    }
    if centre is not None:
        body["centre_code"] = centre
    body.update(extra)
    return body


BUILDING_FILES = [
    ("national_id_copy", ("id.jpg", JPEG, "image/jpeg")),
    ("site_sketch", ("sketch.pdf", PDF, "application/pdf")),
]
CERTIFICATE_FILES = [("national_id_copy", ("id.pdf", PDF, "application/pdf"))]


async def until(
    check: Callable[[], Awaitable[bool]], *, timeout: float = 30.0, what: str = ""
) -> None:
    """Poll an asynchronous condition until it holds (no timed assertion: only a give-up)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting{': ' + what if what else ''}")
        await asyncio.sleep(0.02)


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


@dataclass
class Harness:
    app: FastAPI
    client: httpx.AsyncClient
    catalogue: InMemoryCatalogue
    clock: FakeClock
    settings: RequestSettings

    @property
    def database(self) -> Database:
        database: Database = self.app.state.runtime.database
        return database

    async def submit(
        self,
        token: str,
        body: dict[str, Any],
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        key: str | None = None,
    ) -> httpx.Response:
        headers = bearer(token)
        if key is not None:
            headers["Idempotency-Key"] = key
        if files is None:
            return await self.client.post(f"{PREFIX}/applications", json=body, headers=headers)
        return await self.client.post(
            f"{PREFIX}/applications",
            data={"application": json.dumps(body, ensure_ascii=False)},
            files=files,
            headers=headers,
        )

    async def filed(
        self,
        token: str,
        body: dict[str, Any],
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
    ) -> dict[str, Any]:
        response = await self.submit(token, body, files)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def get(self, token: str, application_id: str) -> httpx.Response:
        return await self.client.get(
            f"{PREFIX}/applications/{application_id}", headers=bearer(token)
        )

    async def current(self, application_id: str) -> dict[str, Any]:
        """The application as a national auditor sees it (for assertions)."""
        response = await self.get(People.auditor, application_id)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def move(
        self,
        token: str,
        application: dict[str, Any],
        to: str,
        reason: dict[str, str] | None = None,
        version: int | None = None,
    ) -> httpx.Response:
        body: dict[str, Any] = {"to": to}
        if reason is not None:
            body["reason"] = reason
        return await self.client.post(
            f"{PREFIX}/applications/{application['id']}/transitions",
            json=body,
            headers=bearer(token, **{"If-Match": f'"{version or application["version"]}"'}),
        )

    async def moved(
        self, token: str, application: dict[str, Any], to: str, reason: dict[str, str] | None = None
    ) -> dict[str, Any]:
        response = await self.move(token, application, to, reason)
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == f'"{response.json()["version"]}"'
        moved: dict[str, Any] = response.json()
        return moved

    async def register_officer(
        self,
        officer_id: str,
        jurisdiction: str = "21",
        departments: tuple[str, ...] = ("planning", "services"),
    ) -> None:
        manager = People.manager if jurisdiction.startswith(("21", "EG")) else People.manager_alex
        response = await self.client.put(
            f"{PREFIX}/officers/{officer_id}",
            json={"jurisdiction": jurisdiction, "departments": list(departments)},
            headers=bearer(manager),
        )
        assert response.status_code == 200, response.text

    async def seal(self) -> int:
        """Seal every committed audit entry now, as the background sealer would."""
        sealed: int = await self.app.state.sealer.seal_now()
        return sealed

    async def publish(self, event: CloudEvent) -> None:
        """Deliver an event to this service's consumers and wait until they have handled it.

        In-process buses only (a broker gives no "all handled" point: wait for the effect).
        """
        bus = self.app.state.runtime.bus
        await bus.publish([event.outgoing()])
        inner = getattr(bus, "inner", bus)
        assert isinstance(inner, InProcessBus), "on a broker, wait for the effect instead"
        await inner.join()  # every queue empty, no retry pending

    async def events(
        self, type_: str | None = None, subject: str | None = None
    ) -> list[dict[str, Any]]:
        """Events written to the outbox (published or not), oldest first."""
        async with self.database.read() as session:
            query = select(outbox.c.payload).order_by(outbox.c.id)
            if type_ is not None:
                query = query.where(outbox.c.type == type_)
            rows = (await session.execute(query)).scalars().all()
        found = [json.loads(row) for row in rows]
        return [e for e in found if subject is None or e.get("subject") == subject]

    async def count(self, table: str) -> int:
        async with self.database.read() as session:
            value = await session.scalar(select(func.count()).select_from(text(table)))
        return int(value or 0)

    def stored_files(self) -> list[Path]:
        root = self.settings.document_root
        return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@asynccontextmanager
async def start(
    database_url: str,
    tmp_path: Path,
    *,
    catalogue: Any = None,
    clock: FakeClock | None = None,
    bus: EventBus | None = None,
    **overrides: Any,
) -> AsyncIterator[Harness]:
    """The service on ``database_url``; on its own in-process bus unless given ``bus``."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "var_dir": tmp_path / "var",
        "bus_url": f"memory://{uuid.uuid4().hex}",
        "environment": "test",
        "escalation_enabled": False,
        # Tests seal the audit log themselves (Harness.seal); test_audit starts the loop.
        "audit_sealer_enabled": False,
        "log_json": False,
        "log_level": "WARNING",
        "status_inquiry_per_minute": 1000,
    }
    values.update(overrides)
    settings = RequestSettings(**values)
    catalogue = catalogue if catalogue is not None else InMemoryCatalogue()
    clock = clock or FakeClock(START)
    app = create_app(
        settings, bus=bus, catalogue=catalogue, clock=clock, verifier=tokens.verifier()
    )
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        yield Harness(app, client, catalogue, clock, settings)


@pytest.fixture
async def service(database_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    async with start(database_url, tmp_path) as harness:
        yield harness


@pytest.fixture
async def staffed(service: Harness) -> Harness:
    """The service with Giza's and Alexandria's back-office officers registered."""
    await service.register_officer("officer-giza-1")
    await service.register_officer("officer-giza-2")
    await service.register_officer("clerk-officer", departments=("services",))
    await service.register_officer("officer-alex", "02")
    return service
