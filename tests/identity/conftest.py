"""An identity service on SQLite or PostgreSQL, a clock the test moves, and helpers to sign in."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from identity_service.adapters import Adapters
from identity_service.app import create_app
from identity_service.ports.otp_delivery import decrypt_code
from identity_service.settings import IdentitySettings
from mahaliyat.db import Database
from mahaliyat.events import outbox
from tests.support.clock import FakeClock

API = "/api/v1/identity"
DEMO_PASSWORD = "Mahaliyat-demo-2026"
GIZA_CITIZEN = "29001012101234"  # born 1990-01-01 in Giza (21)
ALEX_CITIZEN = "30512310201238"  # born 2005-12-31 in Alexandria (02)
PHONE = "01012345678"


def test_settings(database_url: str, var_dir: Path, **overrides: Any) -> IdentitySettings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "var_dir": var_dir,
        "bus_url": f"memory://{uuid.uuid4().hex}",
        "seed_demo_data": True,
        "log_json": False,
        # Cheap hashing keeps the suite fast; production uses the argon2id defaults.
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "argon2_parallelism": 1,
        "keyring_check_seconds": 0,
        # What the embedded runner sets: a missing keyring is generated at start.
        "generate_dev_keys": True,
    }
    values.update(overrides)
    return IdentitySettings(**values)


test_settings.__test__ = False  # type: ignore[attr-defined]


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient
    clock: FakeClock
    settings: IdentitySettings

    @property
    def adapters(self) -> Adapters:
        adapters: Adapters = self.app.state.adapters
        return adapters

    @property
    def database(self) -> Database:
        database: Database = self.app.state.runtime.database
        return database

    async def login(self, username: str, password: str = DEMO_PASSWORD) -> dict[str, Any]:
        response = await self.client.post(
            f"{API}/staff/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def bearer(self, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
        tokens = await self.login(username, password)
        return {"Authorization": f"Bearer {tokens['access_token']}"}

    async def otp_events(self) -> list[dict[str, Any]]:
        async with self.database.read() as session:
            rows = await session.scalars(
                select(outbox.c.payload)
                .where(outbox.c.type == "identity.otp.requested")
                .order_by(outbox.c.id)
            )
            return [json.loads(row) for row in rows]

    async def request_code(
        self, national_id: str = GIZA_CITIZEN, phone: str = PHONE, **headers: str
    ) -> tuple[str, str]:
        """Ask for a code; read it the way notification-service does, from the event."""
        response = await self.client.post(
            f"{API}/otp/request",
            json={"national_id": national_id, "phone": phone},
            headers=headers,
        )
        assert response.status_code == 202, response.text
        challenge_id = response.json()["challenge_id"]
        event = next(e for e in await self.otp_events() if e["subject"] == challenge_id)
        secret = self.settings.otp_delivery_key.get_secret_value()
        return challenge_id, decrypt_code(secret, challenge_id, event["data"]["code_ciphertext"])

    async def citizen_tokens(self, national_id: str = GIZA_CITIZEN) -> dict[str, Any]:
        return await self.citizen_tokens_from(national_id, PHONE)

    async def citizen_tokens_from(self, national_id: str, phone: str) -> dict[str, Any]:
        challenge_id, code = await self.request_code(national_id, phone)
        response = await self.client.post(
            f"{API}/otp/verify", json={"challenge_id": challenge_id, "code": code}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@asynccontextmanager
async def running(settings: IdentitySettings, clock: FakeClock) -> AsyncIterator[Service]:
    app = create_app(settings, clock=clock)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://id") as client,
    ):
        yield Service(app, client, clock, settings)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def service(database_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Service]:
    async with running(test_settings(database_url, tmp_path), clock) as built:
        yield built


@pytest.fixture
async def sqlite_service(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Service]:
    """For behaviour that does not depend on the database (keys, token checks)."""
    url = f"sqlite+aiosqlite:///{tmp_path}/identity.db"
    async with running(test_settings(url, tmp_path), clock) as built:
        yield built
