"""Alembic, one history per service, applied programmatically at start (embedded) or by CLI.

A service's ``migrations/env.py`` is two lines: ``from mahaliyat.migrations import
run_env`` and ``run_env(metadata)``. ``upgrade`` serialises concurrent starters on
PostgreSQL with an advisory lock, so replicas can start together.
"""

from __future__ import annotations

import asyncio
import zlib
from pathlib import Path
from typing import Any, Literal

from alembic import command, context
from alembic.config import Config
from alembic.operations import Operations
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine

from mahaliyat.db import Database
from mahaliyat.events.tables import MESSAGING_METADATA
from mahaliyat.idempotency import IDEMPOTENCY_METADATA


def alembic_config(script_location: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(database: Database, script_location: Path, revision: str = "head") -> None:
    """Bring the database to ``revision`` (``head`` by default)."""
    config = alembic_config(script_location, database.url.render_as_string(hide_password=False))
    async with database.engine.begin() as connection:
        if database.is_postgres:
            key = zlib.crc32(script_location.parent.name.encode())
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        await connection.run_sync(_run, config, revision)


def _run(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def run_env(metadata: MetaData) -> None:
    """The body of every service's ``env.py``: its tables, the outbox, inbox and idempotency keys."""
    targets = [metadata, MESSAGING_METADATA, IDEMPOTENCY_METADATA]
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection, targets)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=targets, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def online() -> None:
        engine = create_async_engine(str(url))
        async with engine.begin() as conn:
            await conn.run_sync(_configure_and_run, targets)
        await engine.dispose()

    asyncio.run(online())


def _render_kernel_types(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Autogenerate writes kernel column types (``UTCDateTime``, ``MoneyType``) with their import."""
    module = type(obj).__module__
    if type_ == "type" and module.startswith("mahaliyat."):
        autogen_context.imports.add(f"import {module}")
        return f"{module}.{type(obj).__name__}()"
    return False


def _configure_and_run(connection: Connection, targets: list[MetaData]) -> None:
    context.configure(
        connection=connection,
        target_metadata=targets,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_kernel_types,
    )
    with context.begin_transaction():
        context.run_migrations()


def create_messaging_tables(op: Operations | Any) -> None:
    """For a service's first migration: the outbox and inbox tables, as the kernel defines them."""
    MESSAGING_METADATA.create_all(op.get_bind())


def drop_messaging_tables(op: Operations | Any) -> None:
    MESSAGING_METADATA.drop_all(op.get_bind())


def create_idempotency_table(op: Operations | Any) -> None:
    """The kernel's ``idempotency_keys`` table (``mahaliyat.idempotency``), in a service's history."""
    # Not checkfirst: an older table of the same name must be dropped first, not kept.
    IDEMPOTENCY_METADATA.create_all(op.get_bind(), checkfirst=False)


def drop_idempotency_table(op: Operations | Any) -> None:
    IDEMPOTENCY_METADATA.drop_all(op.get_bind())
