"""What payment-service invoices from, and who took an application in (docs/contracts.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from request_service.domain.catalogue import Quote
from tests.request.conftest import (
    BUILDING_FILES,
    CERTIFICATE_FILES,
    Harness,
    building,
    certificate,
    start,
)
from tests.request.fakes import InMemoryCatalogue
from tests.request.test_lifecycle import assert_common_fields
from tests.request.tokens import People

REVIEW_FEE = 5000
PERMIT_FEE = 120 * 150  # 120 m² at 150 piasters


class LopsidedCatalogue(InMemoryCatalogue):
    """A catalogue whose quote total is 700 piasters more than its lines add up to."""

    async def quote(
        self, code: str, governorate: str, on: date, inputs: Mapping[str, Any]
    ) -> Quote:
        quote = await super().quote(code, governorate, on, inputs)
        return dataclasses.replace(quote, total_piasters=quote.total_piasters + 700)


@pytest.fixture
async def lopsided(database_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    async with start(database_url, tmp_path, catalogue=LopsidedCatalogue()) as harness:
        yield harness


async def awaiting_payment(service: Harness, app: dict[str, Any]) -> dict[str, Any]:
    app = await service.moved(People.clerk_hq, app, "under_review")
    app = await service.moved(People.clerk_hq, app, "awaiting_payment")
    changes = await service.events("request.status_changed", app["id"])
    entered = [e for e in changes if e["data"]["to"] == "awaiting_payment"]
    assert len(entered) == 1
    assert_common_fields(entered[0], app)
    data: dict[str, Any] = entered[0]["data"]
    assert data["amount_due_piasters"] == app["amount_due_piasters"]
    assert data["fee_total_piasters"] == data["amount_due_piasters"]
    assert sum(line["amount_piasters"] for line in data["fee_lines"]) == data["fee_total_piasters"]
    assert data["currency"] == "EGP"
    return data


async def test_entering_awaiting_payment_carries_the_lines_to_invoice(service: Harness) -> None:
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    data = await awaiting_payment(service, app)
    assert data["fee_lines"] == [
        {
            "code": "review",
            "name": {"ar": "رسم فحص", "en": "Review fee"},
            "quantity": "1",
            "amount_piasters": REVIEW_FEE,
        },
        {
            "code": "permit",
            "name": {"ar": "رسم الترخيص", "en": "Permit fee"},
            "quantity": "120",
            "amount_piasters": PERMIT_FEE,
        },
    ]
    assert data["fee_total_piasters"] == REVIEW_FEE + PERMIT_FEE
    # The other transitions carry none of it.
    others = [
        e["data"]
        for e in await service.events("request.status_changed", app["id"])
        if e["data"]["to"] != "awaiting_payment"
    ]
    assert others
    assert not any("fee_lines" in d or "currency" in d for d in others)


async def test_a_schedule_changed_before_review_ends_is_invoiced_as_quoted_then(
    service: Harness,
) -> None:
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    service.catalogue.services["BLD-001"]["fees"]["items"][0]["amount_piasters"] = 8000
    data = await awaiting_payment(service, app)
    submitted = (await service.events("request.submitted", app["id"]))[0]["data"]
    assert submitted["fee_piasters"] == REVIEW_FEE + PERMIT_FEE  # the quote at filing
    assert data["amount_due_piasters"] == 8000 + PERMIT_FEE  # what payment invoices
    assert [line["amount_piasters"] for line in data["fee_lines"]] == [8000, PERMIT_FEE]


async def test_lines_that_fall_short_of_the_amount_due_get_an_adjusting_line(
    lopsided: Harness,
) -> None:
    app = await lopsided.filed(People.citizen_a, building(), BUILDING_FILES)
    data = await awaiting_payment(lopsided, app)
    assert data["amount_due_piasters"] == REVIEW_FEE + PERMIT_FEE + 700
    assert [line["code"] for line in data["fee_lines"]] == ["review", "permit", None]
    assert data["fee_lines"][-1] == {
        "code": None,
        "name": {"ar": "تسوية", "en": "Adjustment"},
        "quantity": "1",
        "amount_piasters": 700,
    }


async def test_a_counter_filing_names_its_clerk_and_an_online_one_nobody(
    service: Harness,
) -> None:
    counter = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    online = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    partner = await service.filed(People.partner, building(), BUILDING_FILES)
    cancel = {"ar": "بناءً على طلب المواطن", "en": "At the applicant's request"}
    await service.moved(People.clerk, counter, "cancelled", cancel)
    await service.moved(People.partner, partner, "cancelled", cancel)
    for app, clerk in ((counter, "clerk-giza-1"), (online, None), (partner, None)):
        submitted = (await service.events("request.submitted", app["id"]))[0]["data"]
        assert submitted["intake_actor_id"] == clerk
    for app, clerk in ((counter, "clerk-giza-1"), (partner, None)):
        completed = (await service.events("request.completed", app["id"]))[0]["data"]
        assert completed["intake_actor_id"] == clerk
