"""A seeded catalog-service per test (SQLite and PostgreSQL), called through ASGI, with tokens."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from fastapi import FastAPI
from sqlalchemy import func, select

from catalog_service.app import create_app
from catalog_service.readmodel import CatalogueReadModel
from catalog_service.settings import CatalogSettings
from mahaliyat.auth import TokenVerifier
from mahaliyat.db import Database
from mahaliyat.events import CloudEvent, outbox

ISSUER, AUDIENCE = "https://id.mahaliyat.test", "mahaliyat"
PUBLIC_BASE_URL = "https://mahaliyat.example"
PORTAL_URL = "https://portal.mahaliyat.example"


@pytest.fixture(scope="session")
def signing_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def verifier(signing_key: ed25519.Ed25519PrivateKey) -> TokenVerifier:
    public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(signing_key.public_key()))
    public.update(kid="test-key", use="sig", alg="EdDSA")
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks={"keys": [public]})


@dataclass
class Catalogue:
    """The service under test and what tests need around it."""

    app: FastAPI
    client: httpx.AsyncClient
    signing_key: ed25519.Ed25519PrivateKey

    @property
    def database(self) -> Database:
        database: Database = self.app.state.runtime.database
        return database

    @property
    def read_model(self) -> CatalogueReadModel:
        model: CatalogueReadModel = self.app.state.adapters.read_model
        return model

    def auth(self, jurisdiction: str = "EG", role: str = "catalog_admin") -> dict[str, str]:
        now = int(time.time())
        claims = {
            "sub": f"staff-{role}-{jurisdiction}",
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + 600,
            "kind": "staff",
            "grants": [{"role": role, "jurisdiction": jurisdiction}],
        }
        token = jwt.encode(claims, self.signing_key, algorithm="EdDSA", headers={"kid": "test-key"})
        return {"Authorization": f"Bearer {token}"}

    async def events(self, type_: str | None = None) -> list[CloudEvent]:
        """Every event written to the outbox (published or not), oldest first."""
        query = select(outbox.c.payload).order_by(outbox.c.id)
        if type_ is not None:
            query = query.where(outbox.c.type == type_)
        async with self.database.read() as session:
            rows = (await session.execute(query)).scalars().all()
        return [CloudEvent.from_json(row) for row in rows]

    async def count(self, table: Any) -> int:
        async with self.database.read() as session:
            return int(await session.scalar(select(func.count()).select_from(table)) or 0)


def settings_for(database_url: str, var_dir: Path, **overrides: Any) -> CatalogSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "var_dir": var_dir,
        "environment": "test",
        "seed_demo_data": True,
        "bus_url": f"memory://{uuid.uuid4().hex}",
        "log_json": False,
        "log_level": "WARNING",
        "public_base_url": PUBLIC_BASE_URL,
        "portal_base_url": PORTAL_URL,
    }
    values.update(overrides)
    return CatalogSettings(**values)


async def running(
    settings: CatalogSettings,
    verifier: TokenVerifier,
    signing_key: ed25519.Ed25519PrivateKey,
    **app_options: Any,
) -> AsyncIterator[Catalogue]:
    app = create_app(settings, verifier=verifier, **app_options)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://catalog"
        ) as client,
    ):
        yield Catalogue(app, client, signing_key)


@pytest.fixture
async def catalogue(
    database_url: str,
    tmp_path: Path,
    verifier: TokenVerifier,
    signing_key: ed25519.Ed25519PrivateKey,
) -> AsyncIterator[Catalogue]:
    """catalog-service on SQLite and on PostgreSQL, seeded with reference and demo data."""
    async for service in running(settings_for(database_url, tmp_path), verifier, signing_key):
        yield service


@pytest.fixture
async def sqlite_catalogue(
    tmp_path: Path, verifier: TokenVerifier, signing_key: ed25519.Ed25519PrivateKey
) -> AsyncIterator[Catalogue]:
    """The same on SQLite only, for page rendering that does not depend on the backend."""
    url = f"sqlite+aiosqlite:///{tmp_path}/catalog.db"
    async for service in running(settings_for(url, tmp_path), verifier, signing_key):
        yield service
