"""Concurrent admin writes on PostgreSQL, where they really run side by side: no deadlock
between writers that lock different rows, and no overlapping fee periods however the
requests interleave (the application's check and the database's exclusion constraint)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from catalog_service.inputs import today
from catalog_service.models import FeeScheduleRow
from mahaliyat.auth import TokenVerifier
from mahaliyat.db import utcnow
from tests.catalog.bodies import API, definition, fee_body
from tests.catalog.conftest import Catalogue, running, settings_for

ROUNDS = 25


@pytest.fixture
async def pg_catalogue(
    postgres_url: str,
    tmp_path: Path,
    verifier: TokenVerifier,
    signing_key: ed25519.Ed25519PrivateKey,
) -> AsyncIterator[Catalogue]:
    """catalog-service on PostgreSQL only: SQLite runs one writer at a time, so nothing races."""
    settings = settings_for(postgres_url, tmp_path, database_pool_size=10)
    async for service in running(settings, verifier, signing_key):
        yield service


async def test_replacing_a_service_while_its_fees_change_never_deadlocks(
    pg_catalogue: Catalogue,
) -> None:
    client, admin = pg_catalogue.client, pg_catalogue.auth()
    detail = (await client.get(f"{API}/services/BLD-002")).json()
    body = definition(detail)
    statuses: Counter[tuple[int, int]] = Counter()
    for i in range(ROUNDS):
        # Every round changes both: the service's SLA flips, and a new one-day override is added.
        starts = today() + timedelta(days=30 + 2 * i)
        replaced, added = await asyncio.gather(
            client.put(
                f"{API}/services/BLD-002",
                json={**body, "sla_days": detail["sla_days"] + 1 + i % 2},
                headers=admin,
            ),
            client.post(
                f"{API}/services/BLD-002/fee-schedules",
                json=fee_body("02", starts, effective_to=(starts + timedelta(days=1)).isoformat()),
                headers=admin,
            ),
        )
        statuses[(replaced.status_code, added.status_code)] += 1
    assert statuses == {(200, 201): ROUNDS}
    assert len(await pg_catalogue.events("catalog.service.updated")) == ROUNDS
    assert len(await pg_catalogue.events("catalog.fee.changed")) == ROUNDS


async def test_two_overlapping_schedules_posted_together_one_is_refused(
    pg_catalogue: Catalogue,
) -> None:
    client = pg_catalogue.client
    outcomes: Counter[tuple[int, ...]] = Counter()
    for i in range(ROUNDS):
        starts = today() + timedelta(days=30 + 10 * i)
        # The same governorate and service, periods of different lengths that overlap.
        first = fee_body("02", starts, effective_to=(starts + timedelta(days=5)).isoformat())
        second = fee_body(
            "02",
            starts + timedelta(days=2),
            effective_to=(starts + timedelta(days=8)).isoformat(),
        )
        answers = await asyncio.gather(
            client.post(
                f"{API}/services/BLD-003/fee-schedules", json=first, headers=pg_catalogue.auth()
            ),
            client.post(
                f"{API}/services/BLD-003/fee-schedules",
                json=second,
                headers=pg_catalogue.auth("02"),
            ),
        )
        outcomes[tuple(sorted(a.status_code for a in answers))] += 1
        refused = next(a for a in answers if a.status_code == 409)
        assert refused.json()["code"] == "fee_period_overlap"
    assert outcomes == {(201, 409): ROUNDS}
    history = (
        await client.get(f"{API}/services/BLD-003/fee-schedules", params={"governorate": "02"})
    ).json()["items"]
    assert len([s for s in history if s["governorate"] == "02"]) == ROUNDS
    assert len(await pg_catalogue.events("catalog.fee.changed")) == ROUNDS


async def test_the_database_itself_refuses_overlapping_periods(pg_catalogue: Catalogue) -> None:
    """The exclusion constraint holds even for a writer that skips the application's check."""
    starts = today() + timedelta(days=40)

    def row(governorate: str | None, days: int) -> dict[str, object]:
        return {
            "id": uuid.uuid4(),
            "service_code": "BLD-003",
            "governorate_code": governorate,
            "effective_from": starts + timedelta(days=days),
            "effective_to": None,
            "items": [],
            "created_at": utcnow(),
        }

    for governorate in ("02", None):  # an override, and the national default (a NULL governorate)
        with pytest.raises(IntegrityError, match="ex_fee_schedules_period"):
            async with pg_catalogue.database.unit_of_work() as uow:
                await uow.session.execute(insert(FeeScheduleRow), [row(governorate, 0)])
                await uow.session.execute(insert(FeeScheduleRow), [row(governorate, 3)])
    async with pg_catalogue.database.unit_of_work() as uow:  # other governorates do not clash
        await uow.session.execute(insert(FeeScheduleRow), [row("02", 0), row("03", 0)])
