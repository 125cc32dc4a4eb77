"""Every service's Alembic history builds exactly its models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect

from mahaliyat.db import Base, Database
from mahaliyat.events import MESSAGING_METADATA
from mahaliyat.idempotency import IDEMPOTENCY_METADATA
from mahaliyat.migrations import upgrade
from mahaliyat_gateway.routes import ROUTES


def service_metadata(package: str) -> MetaData:
    models = importlib.import_module(f"{package}.models")
    bases = [
        value
        for value in vars(models).values()
        if isinstance(value, type)
        and issubclass(value, Base)
        and value is not Base
        and value.__dict__.get("__abstract__", False)
    ]
    assert len(bases) == 1, f"{package}.models should define one declarative base"
    return bases[0].metadata


@pytest.mark.parametrize("service", ROUTES, ids=lambda s: s.name)
async def test_migrations_match_models(service: Any, database_url: str) -> None:
    location = importlib.import_module(f"{service.package}.app").MIGRATIONS
    database = Database(database_url)
    try:
        await upgrade(database, location)
        await upgrade(database, location)  # a second start changes nothing

        def differences(connection: Any) -> list[Any]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(
                compare_metadata(
                    context,
                    [service_metadata(service.package), MESSAGING_METADATA, IDEMPOTENCY_METADATA],  # type: ignore[arg-type]  # alembic takes a list of MetaData, its annotation says one
                )
            )

        async with database.engine.connect() as connection:
            assert await connection.run_sync(differences) == []
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert {"outbox", "inbox", "idempotency_keys"} <= tables
    finally:
        await database.dispose()
