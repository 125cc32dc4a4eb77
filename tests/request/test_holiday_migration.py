"""Migration 0004: the holidays table becomes the admins' decisions over the package's seed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete, insert, select, update

from mahaliyat.db import Database
from mahaliyat.ids import new_id
from mahaliyat.migrations import upgrade
from request_service.app import MIGRATIONS
from request_service.models import AuditEntry, Holiday


async def test_untouched_seed_rows_go_and_removed_days_stay_removed(database_url: str) -> None:
    database = Database(database_url)
    try:
        await upgrade(database, MIGRATIONS, "0003")
        async with database.engine.begin() as connection:
            # What admins did before: removed Coptic Christmas 2026, renamed 22 March 2026,
            # added 25 November 2026.
            await connection.execute(delete(Holiday).where(Holiday.day == date(2026, 1, 7)))
            await connection.execute(
                insert(AuditEntry).values(
                    id=new_id(),
                    at=datetime(2026, 1, 2, tzinfo=UTC),
                    actor_id="admin",
                    actor_role="platform_admin",
                    action="holiday_removed",
                    details={"day": "2026-01-07"},
                )
            )
            await connection.execute(
                update(Holiday)
                .where(Holiday.day == date(2026, 3, 22))
                .values(name_en="Eid (announced)")
            )
            await connection.execute(
                insert(Holiday).values(
                    day=date(2026, 11, 25), name_ar="عطلة", name_en="Announced", approximate=False
                )
            )
        await upgrade(database, MIGRATIONS)
        async with database.read() as session:
            rows = (await session.scalars(select(Holiday).order_by(Holiday.day))).all()
            found = [(r.day, r.name_en, r.removed) for r in rows]
        assert found == [
            (date(2026, 1, 7), "", True),
            (date(2026, 3, 22), "Eid (announced)", False),
            (date(2026, 11, 25), "Announced", False),
        ]
    finally:
        await database.dispose()
