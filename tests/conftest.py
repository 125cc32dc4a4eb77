"""Backends for every test: SQLite + in-process bus always; PostgreSQL + RabbitMQ when they answer.

With ``CI=true`` an unreachable PostgreSQL or RabbitMQ fails the test instead of
skipping it. Elsewhere the skip message says how to enable them.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.support.stack import Stack, make_stack

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_ADMIN_URL = os.environ.get(
    "MAHALIYAT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
RABBITMQ_URL = os.environ.get("MAHALIYAT_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def unavailable(what: str, error: BaseException) -> None:
    message = (
        f"{what} is unreachable ({error!r}). Start it, or point "
        f"MAHALIYAT_TEST_{what.upper()}_URL at one; with CI=true this is a failure."
    )
    if CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


async def _probe_postgres() -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    await connection.close()


async def _probe_rabbitmq() -> None:
    import aio_pika

    connection = await aio_pika.connect(RABBITMQ_URL, timeout=5)
    await connection.close()


_probes: dict[str, BaseException | None] = {}


async def _probe(name: str) -> BaseException | None:
    """Whether a server answers, asked once per run."""
    if name not in _probes:
        probe = _probe_postgres if name == "postgresql" else _probe_rabbitmq
        try:
            await asyncio.wait_for(probe(), timeout=10)
            _probes[name] = None
        except Exception as exc:
            _probes[name] = exc
    return _probes[name]


async def require(name: str) -> None:
    error = await _probe(name)
    if error is not None:
        unavailable("postgres" if name == "postgresql" else "rabbitmq", error)


@asynccontextmanager
async def temporary_postgres_database() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards (an asyncpg SQLAlchemy URL)."""
    import asyncpg

    await require("postgresql")
    name = f"mtest_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with temporary_postgres_database() as url:
        yield url


@pytest.fixture
async def rabbitmq_url() -> str:
    await require("rabbitmq")
    return RABBITMQ_URL


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each storage test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/test.db"
        return
    async with temporary_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite+memory", "postgresql+rabbitmq"])
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    """A database with the messaging tables and a way to make buses: embedded or real."""
    if request.param == "sqlite+memory":
        async with make_stack(f"sqlite+aiosqlite:///{tmp_path}/test.db", None) as built:
            yield built
        return
    await require("rabbitmq")
    async with temporary_postgres_database() as url, make_stack(url, RABBITMQ_URL) as built:
        yield built
