"""Per-key serialisation of check-then-write steps (rate limits, lockout) across replicas."""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def serialise(session: AsyncSession, *keys: str) -> None:
    """Hold a transaction-scoped lock on each key until the unit of work ends.

    On PostgreSQL an advisory lock; SQLite needs nothing, since every transaction
    there begins IMMEDIATE and so runs alone.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):  # one order everywhere, so two requests cannot deadlock
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})
