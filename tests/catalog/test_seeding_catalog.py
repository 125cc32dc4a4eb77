"""Seeding at start: reference data into an empty database, demo centres and stops on request,
never twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from catalog_service.app import MIGRATIONS
from catalog_service.inputs import today
from catalog_service.models import (
    CategoryRow,
    CentreRow,
    FeeScheduleRow,
    GovernorateRow,
    MobileStopRow,
    ServiceRow,
    SubdivisionRow,
)
from catalog_service.queries import generation
from catalog_service.seed import (
    load_centres,
    load_fee_schedules,
    load_services,
    load_subdivisions,
)
from catalog_service.seeding import seed_catalogue
from catalog_service.settings import CatalogSettings
from mahaliyat.db import Database
from mahaliyat.migrations import upgrade
from tests.catalog.conftest import Catalogue


async def counts(database: Database) -> dict[str, int]:
    tables = (
        GovernorateRow,
        SubdivisionRow,
        CategoryRow,
        ServiceRow,
        FeeScheduleRow,
        CentreRow,
        MobileStopRow,
    )
    async with database.read() as session:
        return {
            t.__tablename__: int(await session.scalar(select(func.count()).select_from(t)) or 0)
            for t in tables
        }


async def test_a_started_service_holds_the_whole_seed(catalogue: Catalogue) -> None:
    found = await counts(catalogue.database)
    assert found["governorates"] == 27
    assert found["subdivisions"] == len(load_subdivisions())
    assert found["services"] == len(load_services())
    assert found["fee_schedules"] == len(load_fee_schedules())
    assert found["centres"] == len(load_centres())
    mobile = sum(1 for c in load_centres() if c.kind.value == "mobile")
    assert 0 < found["mobile_stops"] <= mobile * 14


async def test_seeding_again_writes_nothing(catalogue: Catalogue) -> None:
    before = await counts(catalogue.database)
    async with catalogue.database.read() as session:
        number = await generation.current(session)
    settings = CatalogSettings(database_url="sqlite://", seed_demo_data=True)
    assert await seed_catalogue(catalogue.database, settings) is False
    assert await counts(catalogue.database) == before
    async with catalogue.database.read() as session:
        assert await generation.current(session) == number


async def test_reference_data_without_demo_data_and_stops_topped_up(database_url: str) -> None:
    database = Database(database_url)
    try:
        await upgrade(database, MIGRATIONS)
        reference_only = CatalogSettings(database_url=database_url, seed_demo_data=False)
        assert await seed_catalogue(database, reference_only) is True
        found = await counts(database)
        assert found["services"] == len(load_services())
        assert found["centres"] == found["mobile_stops"] == 0

        with_demo = CatalogSettings(
            database_url=database_url, seed_demo_data=True, mobile_schedule_days=7
        )
        assert await seed_catalogue(database, with_demo) is True
        week = await counts(database)
        assert week["centres"] == len(load_centres())
        assert week["services"] == found["services"]  # reference data not loaded twice

        longer = CatalogSettings(
            database_url=database_url, seed_demo_data=True, mobile_schedule_days=14
        )
        assert await seed_catalogue(database, longer) is True  # the second week added
        async with database.read() as session:
            last = await session.scalar(select(func.max(MobileStopRow.day)))
        assert last is not None
        assert last >= today() + timedelta(days=7)
        assert (await counts(database))["mobile_stops"] > week["mobile_stops"]
    finally:
        await database.dispose()


async def test_nothing_is_seeded_when_switched_off(database_url: str) -> None:
    database = Database(database_url)
    try:
        await upgrade(database, MIGRATIONS)
        off = CatalogSettings(
            database_url=database_url, seed_reference_data=False, seed_demo_data=False
        )
        assert await seed_catalogue(database, off) is False
        assert set((await counts(database)).values()) == {0}
    finally:
        await database.dispose()
