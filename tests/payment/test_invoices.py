"""Invoices from request-service's awaiting_payment events, and who may read them (both backends)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from mahaliyat.db import Database
from mahaliyat.events import CloudEvent, InProcessBus, outbox
from payment_service.app import create_app
from payment_service.domain.applicants import national_id_ref
from payment_service.domain.numbers import invoice_number, parse_invoice_number
from payment_service.services import invoicing
from payment_service.settings import PaymentSettings
from tests.request import tokens
from tests.support.clock import FakeClock

PREFIX = "/api/v1/payments"
START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
REF_KEY = "test-applicant-ref-key"
NATIONAL_ID = tokens.NATIONAL_ID
OWNER_REF = national_id_ref(REF_KEY.encode(), NATIONAL_ID)

FINANCE_GIZA = tokens.staff("fin-giza", ("finance", "21"))
FINANCE_ALEX = tokens.staff("fin-alex", ("finance", "02"))
OWNER = tokens.citizen("cit-owner", national_id=NATIONAL_ID)
STRANGER = tokens.citizen("cit-other", national_id=tokens.OTHER_NATIONAL_ID)
SERVICE = tokens.token("notification-service", "service", [])

LINES: list[dict[str, Any]] = [
    {"code": "BLD-FEE", "name": {"ar": "رسم الترخيص", "en": "Licence fee"}, "quantity": "1",
     "amount_piasters": 150_000},
    {"code": "BLD-AREA", "name": {"ar": "رسم المساحة", "en": "Area fee"}, "quantity": "120",
     "amount_piasters": 24_000},
]  # fmt: skip


def awaiting_payment(
    application_id: uuid.UUID,
    lines: list[dict[str, Any]] | None = None,
    total: int | None = None,
    **extra: Any,
) -> CloudEvent:
    lines = LINES if lines is None else lines
    summed = sum(line["amount_piasters"] for line in lines)
    data: dict[str, Any] = {
        "application_id": str(application_id),
        "tracking_number": "21-26-0004217-9",
        "service_code": "BLD-001",
        "service_name": {"ar": "ترخيص بناء", "en": "Building permit"},
        "department_code": "planning",
        "channel": "centre",
        "centre_code": "21-03-F01",
        "jurisdiction": "21-03-F01",
        "governorate": "21",
        "applicant": {"ref": OWNER_REF, "phone": "+201012345678", "language": "ar"},
        "state": "awaiting_payment",
        "at": START.isoformat(),
        "from": "under_review",
        "to": "awaiting_payment",
        "actor_role": "back_office",
        "actor_id": "officer-giza-1",
        "reason": None,
        "due_at": None,
        "amount_due_piasters": summed if total is None else total,
        "fee_lines": lines,
        "fee_total_piasters": summed,
        "currency": "EGP",
    }
    data.update(extra)
    return CloudEvent(
        source="/request", type="request.status_changed", subject=str(application_id), data=data
    )


@dataclass
class Harness:
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def database(self) -> Database:
        database: Database = self.app.state.runtime.database
        return database

    @property
    def bus(self) -> InProcessBus:
        bus = self.app.state.runtime.bus
        inner = getattr(bus, "inner", bus)
        assert isinstance(inner, InProcessBus)
        return inner

    async def publish(self, event: CloudEvent) -> None:
        await self.app.state.runtime.bus.publish([event.outgoing()])
        await self.bus.join()

    async def events(self, type_: str) -> list[dict[str, Any]]:
        async with self.database.read() as session:
            rows = await session.scalars(
                select(outbox.c.payload).where(outbox.c.type == type_).order_by(outbox.c.id)
            )
            return [json.loads(row) for row in rows]

    async def count(self, table: str) -> int:
        async with self.database.read() as session:
            value = await session.scalar(select(func.count()).select_from(text(table)))
        return int(value or 0)

    async def get(self, path: str, token: str) -> httpx.Response:
        return await self.client.get(
            f"{PREFIX}{path}", headers={"Authorization": f"Bearer {token}"}
        )


@asynccontextmanager
async def start(database_url: str, tmp_path: Path, **overrides: Any) -> AsyncIterator[Harness]:
    values: dict[str, Any] = {
        "database_url": database_url,
        "var_dir": tmp_path / "var",
        "bus_url": f"memory://{uuid.uuid4().hex}",
        "environment": "test",
        "log_json": False,
        "log_level": "WARNING",
        "applicant_ref_key": REF_KEY,
        "consumer_max_attempts": 2,
        "consumer_retry_delays_ms": (0,),
    }
    values.update(overrides)
    app = create_app(PaymentSettings(**values), clock=FakeClock(START), verifier=tokens.verifier())
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        yield Harness(app, client)


@pytest.fixture
async def service(database_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    async with start(database_url, tmp_path) as harness:
        yield harness


async def test_awaiting_payment_issues_one_invoice_and_one_event(service: Harness) -> None:
    application_id = uuid.uuid4()
    await service.publish(awaiting_payment(application_id))

    [issued] = await service.events("payment.invoice_issued")
    data = issued["data"]
    expected = str(invoice_number("21", 2026, 1))
    assert data["invoice_number"] == expected
    assert expected.startswith("INV-21-26-0000001-")
    assert parse_invoice_number(expected.replace("-", "")) == invoice_number("21", 26, 1)
    assert data["application_id"] == str(application_id)
    assert data["total_piasters"] == 174_000 == sum(line["amount_piasters"] for line in LINES)
    assert [line["amount_piasters"] for line in data["lines"]] == [150_000, 24_000]
    assert data["lines"][0]["name"] == {"ar": "رسم الترخيص", "en": "Licence fee"}
    assert data["lines"][1]["quantity"] == "120"
    assert data["currency"] == "EGP"
    assert data["applicant"] == {"ref": OWNER_REF, "phone": "+201012345678", "language": "ar"}
    assert (data["jurisdiction"], data["governorate"], data["service_code"]) == (
        "21-03-F01",
        "21",
        "BLD-001",
    )
    assert data["due_at"] == "2026-12-01T08:00:00+00:00"  # seven days after issuing
    assert issued["subject"] == data["invoice_id"]

    response = await service.get(f"/invoices/{expected}", FINANCE_GIZA)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["number"] == expected
    assert body["total_piasters"] == 174_000
    assert [line["code"] for line in body["lines"]] == ["BLD-FEE", "BLD-AREA"]
    assert body["status"] == "open"

    # A second application of the same governorate and year takes the next number.
    await service.publish(awaiting_payment(uuid.uuid4()))
    numbers = [e["data"]["invoice_number"] for e in await service.events("payment.invoice_issued")]
    assert numbers == [expected, str(invoice_number("21", 2026, 2))]


async def test_a_redelivery_or_a_second_event_for_the_application_creates_nothing(
    service: Harness,
) -> None:
    application_id = uuid.uuid4()
    event = awaiting_payment(application_id)
    await service.publish(event)
    await service.publish(event)  # the same event again: the inbox drops it
    await service.publish(awaiting_payment(application_id))  # a new event, same application
    assert await service.count("invoices") == 1
    assert await service.count("invoice_lines") == 2
    assert len(await service.events("payment.invoice_issued")) == 1
    assert service.bus.dead_letters == []


async def test_other_status_changes_issue_nothing(service: Harness) -> None:
    await service.publish(awaiting_payment(uuid.uuid4(), to="in_processing", state="in_processing"))
    assert await service.count("invoices") == 0


async def test_lines_that_do_not_sum_to_the_total_are_refused(service: Harness) -> None:
    await service.publish(awaiting_payment(uuid.uuid4(), total=180_000))
    assert await service.count("invoices") == 0
    assert await service.count("invoice_counters") == 0
    assert await service.events("payment.invoice_issued") == []
    [dead] = service.bus.dead_letters
    assert "fee lines sum to 174000" in dead.error


async def test_only_the_owner_finance_of_the_jurisdiction_and_services_read_it(
    service: Harness,
) -> None:
    application_id = uuid.uuid4()
    await service.publish(awaiting_payment(application_id))
    [issued] = await service.events("payment.invoice_issued")
    number = issued["data"]["invoice_number"]

    for token in (OWNER, FINANCE_GIZA, SERVICE):
        response = await service.get(f"/invoices/{number}", token)
        assert response.status_code == 200, response.text
        listed = await service.get(f"/invoices?application_id={application_id}", token)
        assert [i["number"] for i in listed.json()] == [number]

    for token in (FINANCE_ALEX, STRANGER, tokens.staff("clerk", ("front_office", "21"))):
        response = await service.get(f"/invoices/{number}", token)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        listed = await service.get(f"/invoices?application_id={application_id}", token)
        assert listed.status_code == 200
        assert listed.json() == []

    assert (await service.get("/invoices/INV-21-26-0000099-0", FINANCE_GIZA)).status_code == 404
    assert (await service.get("/invoices/not-a-number", FINANCE_GIZA)).status_code == 404
    unauthenticated = await service.client.get(f"{PREFIX}/invoices/{number}")
    assert unauthenticated.status_code == 401


@pytest.fixture
async def pg_service(postgres_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    """PostgreSQL only: SQLite serialises writers, so there is no race to show there."""
    async with start(postgres_url, tmp_path) as harness:
        yield harness


async def test_two_events_racing_for_one_application_make_one_invoice(
    pg_service: Harness,
) -> None:
    """Two different events for one application handled at once: the unique application id
    makes the loser fail (the bus would retry it), and its retry finds the winner's invoice."""
    service = pg_service
    application_id = uuid.uuid4()
    adapters = service.app.state.adapters
    first, second = awaiting_payment(application_id), awaiting_payment(application_id)

    async def issue(event: CloudEvent) -> str:
        async with service.database.unit_of_work() as work:
            invoice = await invoicing.on_status_changed(work.session, adapters, event)
            assert invoice is not None
            return invoice.number

    async def waiting_on_a_lock() -> bool:
        async with service.database.read() as session:
            waiting = await session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database()"
                )
            )
        return bool(waiting)

    async with service.database.unit_of_work() as work:
        winner = await invoicing.on_status_changed(work.session, adapters, first)
        assert winner is not None
        # The second sees no invoice (not committed yet) and waits on the counter row.
        loser = asyncio.create_task(issue(second))
        deadline = asyncio.get_running_loop().time() + 30
        while not await waiting_on_a_lock():
            assert not loser.done(), loser
            assert asyncio.get_running_loop().time() < deadline, "the second never blocked"
            await asyncio.sleep(0.02)
    with pytest.raises(IntegrityError):
        await loser
    assert await issue(second) == winner.number  # the bus's retry finds it
    assert await service.count("invoices") == 1
    assert len(await service.events("payment.invoice_issued")) == 1
    async with service.database.read() as session:
        assert (
            await session.scalar(
                select(func.max(text("last_value"))).select_from(text("invoice_counters"))
            )
            == 1
        )  # the loser's number was rolled back with it
