"""The kernel clock and Cairo dates; ``db.upsert`` and ``db.on_commit`` on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from mahaliyat.clock import (
    CAIRO,
    Clock,
    SystemClock,
    cairo_date,
    cairo_now,
    cairo_start_of_day,
    cairo_today,
    system_clock,
)
from mahaliyat.db import Database, dialect_name, on_commit, upsert
from tests.support.clock import FakeClock


def test_the_system_clock_tells_aware_utc() -> None:
    before = datetime.now(UTC)
    now = SystemClock()()
    assert now.tzinfo is UTC
    assert before <= now <= datetime.now(UTC)
    assert cairo_now(system_clock).tzinfo is CAIRO


def test_the_fake_clock_is_set_and_moved() -> None:
    clock: Clock = FakeClock(datetime(2026, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=2))))
    assert isinstance(clock, FakeClock)
    assert clock() == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert clock().tzinfo is UTC
    assert clock.advance(hours=13) == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    assert cairo_today(clock) == date(2026, 11, 25)  # 01:00 on Wednesday in Cairo
    clock.now = datetime(2026, 1, 1, tzinfo=UTC)
    assert clock() == datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2026, 1, 1))


def test_cairo_dates_follow_daylight_saving_time() -> None:
    # Winter +02:00, summer +03:00 (Egypt keeps DST again since 2023).
    assert cairo_date(datetime(2026, 1, 10, 21, 59, tzinfo=UTC)) == date(2026, 1, 10)
    assert cairo_date(datetime(2026, 1, 10, 22, 0, tzinfo=UTC)) == date(2026, 1, 11)
    assert cairo_date(datetime(2026, 7, 10, 20, 59, tzinfo=UTC)) == date(2026, 7, 10)
    assert cairo_date(datetime(2026, 7, 10, 21, 0, tzinfo=UTC)) == date(2026, 7, 11)
    # Local midnight of the spring switch does not exist: the day starts at the switch.
    assert cairo_start_of_day(date(2026, 4, 24)) == datetime(2026, 4, 23, 22, 0, tzinfo=UTC)
    assert cairo_start_of_day(date(2026, 4, 25)) == datetime(2026, 4, 24, 21, 0, tzinfo=UTC)
    assert cairo_start_of_day(date(2026, 10, 30)) == datetime(2026, 10, 29, 22, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        cairo_date(datetime(2026, 1, 1))


metadata = MetaData()
counters = Table(
    "kernel_upsert_test",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("value", Integer, nullable=False),
)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    try:
        yield db
    finally:
        await db.dispose()


async def test_upsert_on_both_backends(database: Database) -> None:
    async with database.unit_of_work() as uow:
        session = uow.session
        assert dialect_name(session) == database.dialect
        first = upsert(session, counters).values(name="a", value=1)
        await session.execute(first.on_conflict_do_nothing())
        again = await session.execute(
            upsert(session, counters).values(name="a", value=5).on_conflict_do_nothing()
        )
        assert getattr(again, "rowcount", None) == 0
        statement = upsert(session, counters).values(name="a", value=2)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[counters.c.name], set_={"value": counters.c.value + 10}
            )
        )
    async with database.engine.connect() as connection:
        assert dialect_name(connection) == database.dialect
        await connection.execute(
            upsert(database.dialect, counters).values(name="b", value=7).on_conflict_do_nothing()
        )
        await connection.commit()
    async with database.read() as session:
        rows = (await session.execute(select(counters).order_by(counters.c.name))).all()
    assert [tuple(r) for r in rows] == [("a", 11), ("b", 7)]


async def test_on_commit_runs_once_after_the_commit(database: Database) -> None:
    calls: list[str] = []
    async with database.unit_of_work() as uow:
        await uow.session.execute(upsert(uow.session, counters).values(name="c", value=1))
        on_commit(uow.session, lambda: calls.append("first"))
        on_commit(uow.session, lambda: calls.append("second"))
        async with uow.session.begin_nested():  # a savepoint released is not the commit
            await uow.session.execute(upsert(uow.session, counters).values(name="d", value=1))
        assert calls == []
    assert calls == ["first", "second"]


async def test_on_commit_does_not_run_after_a_rollback(database: Database) -> None:
    calls: list[str] = []
    async with database.sessions() as session:
        await session.execute(upsert(session, counters).values(name="e", value=1))
        on_commit(session, lambda: calls.append("rolled back"))
        await session.rollback()
        # The next transaction of the same session commits: the callback stays forgotten.
        await session.execute(upsert(session, counters).values(name="f", value=1))
        on_commit(session, lambda: calls.append("committed"))
        await session.commit()
        await session.execute(upsert(session, counters).values(name="g", value=1))
        await session.commit()
    assert calls == ["committed"]
    async with database.read() as session:
        names = set((await session.scalars(select(counters.c.name))).all())
    assert names == {"f", "g"}


async def test_on_commit_is_skipped_when_the_unit_of_work_fails(database: Database) -> None:
    calls: list[str] = []
    with pytest.raises(RuntimeError):
        async with database.unit_of_work() as uow:
            on_commit(uow.session, lambda: calls.append("x"))
            raise RuntimeError("the use case failed")
    assert calls == []
