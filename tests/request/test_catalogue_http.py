"""The HTTP catalogue reader against catalog-service's contract shapes (httpx.MockTransport)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from mahaliyat.events import CloudEvent
from request_service.catalogue import CatalogueUnavailable, HttpCatalogue, QuoteRejected
from tests.request.conftest import CERTIFICATE_FILES, certificate, start
from tests.request.fakes import BUILDING_PERMIT, CENTRES, CERTIFICATE
from tests.request.tokens import People
from tests.support.waiting import eventually


class CatalogService:
    """catalog-service's read API as documented in docs/contracts.md, answering from documents."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.failing = False
        self.services = {d["code"]: d for d in (CERTIFICATE, BUILDING_PERMIT)}
        self.centres = copy.deepcopy(CENTRES)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url.path}")
        if self.failing:
            return httpx.Response(502, json={"code": "bad_gateway"})
        parts = request.url.path.split("/")
        if request.url.path.startswith("/api/v1/catalog/services/") and request.method == "GET":
            doc = self.services.get(parts[-1])
            if doc is None:
                return httpx.Response(
                    404,
                    json={"status": 404, "code": "not_found"},
                    headers={"content-type": "application/problem+json"},
                )
            assert request.url.params["governorate"] == "21"
            assert date.fromisoformat(request.url.params["on"])
            return httpx.Response(200, json=doc, headers={"Cache-Control": "public, max-age=300"})
        if request.url.path.endswith("/quote"):
            body: dict[str, Any] = json.loads(request.content)
            if "area" not in body["inputs"]:
                return httpx.Response(
                    422,
                    json={
                        "status": 422,
                        "code": "validation_failed",
                        "errors": [
                            {
                                "field": "inputs.area",
                                "code": "required",
                                "message": "missing",
                                "location": "body",
                            }
                        ],
                    },
                )
            total = 5000 + int(body["inputs"]["area"]) * 150
            return httpx.Response(
                200,
                json={
                    "service_code": parts[-2],
                    "governorate": body["governorate"],
                    "on": body["on"],
                    "effective_from": "2026-01-01",
                    "lines": [
                        {
                            "item_code": "review",
                            "name": {"ar": "فحص", "en": "Review"},
                            "quantity": 1,
                            "amount_piasters": 5000,
                        },
                        {
                            "item_code": "permit",
                            "name": {"ar": "ترخيص", "en": "Permit"},
                            "quantity": body["inputs"]["area"],
                            "amount_piasters": total - 5000,
                        },
                    ],
                    "total_piasters": total,
                },
            )
        if request.url.path.startswith("/api/v1/catalog/centres/"):
            doc = self.centres.get(parts[-1])
            return (
                httpx.Response(200, json=doc)
                if doc
                else httpx.Response(404, json={"code": "not_found"})
            )
        return httpx.Response(404, json={"code": "not_found"})


def reader(catalog: CatalogService, now: list[float] | None = None) -> HttpCatalogue:
    clock = now or [0.0]
    client = httpx.AsyncClient(transport=httpx.MockTransport(catalog), base_url="http://catalog")
    return HttpCatalogue(client, cache_seconds=300, clock=lambda: clock[0])


async def test_services_centres_and_quotes_are_parsed() -> None:
    catalog = CatalogService()
    catalogue = reader(catalog)
    service = await catalogue.service("BLD-001", "21", date(2026, 11, 24))
    assert service is not None
    assert service.name.en == "Building permit"
    assert service.department_code == "planning"
    assert service.sla_days == 26
    assert service.fee_inputs == ("area",)
    assert {d.code for d in service.documents if d.required} == {"national_id_copy", "site_sketch"}
    centre = await catalogue.centre("21-03-M01")
    assert centre is not None
    assert centre.kind == "mobile"
    quote = await catalogue.quote("BLD-001", "21", date(2026, 11, 24), {"area": 120})
    assert quote.total_piasters == 5000 + 120 * 150
    assert [line.item_code for line in quote.lines] == ["review", "permit"]
    assert await catalogue.service("NOPE-1", "21", date(2026, 11, 24)) is None
    assert await catalogue.centre("99-99-F99") is None
    await catalogue.close()


async def test_cache_expires_and_can_be_dropped() -> None:
    catalog, now = CatalogService(), [0.0]
    catalogue = reader(catalog, now)
    on = date(2026, 11, 24)
    await catalogue.service("CIV-001", "21", on)
    await catalogue.service("CIV-001", "21", on)
    assert catalog.calls.count("GET /api/v1/catalog/services/CIV-001") == 1
    catalogue.invalidate("CIV-001")
    await catalogue.service("CIV-001", "21", on)
    assert catalog.calls.count("GET /api/v1/catalog/services/CIV-001") == 2
    now[0] = 301.0
    await catalogue.service("CIV-001", "21", on)
    assert catalog.calls.count("GET /api/v1/catalog/services/CIV-001") == 3
    await catalogue.close()


async def test_failures_are_reported_not_guessed() -> None:
    catalog = CatalogService()
    catalogue = reader(catalog)
    with pytest.raises(QuoteRejected) as refused:
        await catalogue.quote("BLD-001", "21", date(2026, 11, 24), {})
    assert refused.value.errors[0]["field"] == "inputs.area"
    catalog.failing = True
    with pytest.raises(CatalogueUnavailable):
        await catalogue.service("CIV-001", "21", date(2026, 11, 24))

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    down = HttpCatalogue(
        httpx.AsyncClient(transport=httpx.MockTransport(unreachable), base_url="http://catalog")
    )
    with pytest.raises(CatalogueUnavailable):
        await down.centre("21-03-F01")
    await catalogue.close()
    await down.close()


async def test_catalogue_events_drop_the_cache(database_url: str, tmp_path: Path) -> None:
    catalog = CatalogService()
    async with start(database_url, tmp_path, catalogue=reader(catalog)) as service:
        for _ in range(2):
            response = await service.submit(People.clerk, certificate(), CERTIFICATE_FILES)
            assert response.status_code == 201, response.text
        assert catalog.calls.count("GET /api/v1/catalog/services/CIV-001") == 1
        await service.publish(
            CloudEvent(
                source="/catalog",
                type="catalog.service.updated",
                data={**CERTIFICATE, "sla_days": 4},
            )
        )
        await eventually(
            lambda: (
                service.app.state.adapters.catalogue.cache.get(
                    ("service", "CIV-001", "21", "2026-11-24")
                )[0]
                is False
            )
        )
        response = await service.submit(People.clerk, certificate(), CERTIFICATE_FILES)
        assert response.status_code == 201
        assert catalog.calls.count("GET /api/v1/catalog/services/CIV-001") == 2


async def test_a_closed_centre_stops_taking_filings_when_its_event_arrives(
    database_url: str, tmp_path: Path
) -> None:
    catalog = CatalogService()
    async with start(database_url, tmp_path, catalogue=reader(catalog)) as service:
        assert (
            await service.submit(People.clerk, certificate(), CERTIFICATE_FILES)
        ).status_code == 201
        catalog.centres["21-03-F01"]["active"] = False  # closed in the catalogue...
        still_cached = await service.submit(People.clerk, certificate(), CERTIFICATE_FILES)
        assert still_cached.status_code == 201  # ...unknown here until told (or the TTL ends)
        await service.publish(
            CloudEvent(
                source="/catalog",
                type="catalog.centre.updated",
                subject="21-03-F01",
                data={**catalog.centres["21-03-F01"], "jurisdiction": "21-03-F01"},
            )
        )
        refused = await service.submit(People.clerk, certificate(), CERTIFICATE_FILES)
        assert refused.status_code == 422, refused.text
        assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
            ("service_code", "centre_inactive")
        ]
        assert catalog.calls.count("GET /api/v1/catalog/centres/21-03-F01") == 2
        assert await service.count("applications") == 2
        # Another centre's cached answer is kept.
        await service.filed(People.clerk_mobile, certificate("21-03-M01"), CERTIFICATE_FILES)
        await service.publish(
            CloudEvent(
                source="/catalog",
                type="catalog.centre.updated",
                subject="21-03-F01",
                data=catalog.centres["21-03-F01"],
            )
        )
        await service.filed(People.clerk_mobile, certificate("21-03-M01"), CERTIFICATE_FILES)
        assert catalog.calls.count("GET /api/v1/catalog/centres/21-03-M01") == 1


async def test_an_unreachable_catalogue_is_a_503_and_nothing_is_filed(
    database_url: str, tmp_path: Path
) -> None:
    catalog = CatalogService()
    catalog.failing = True
    async with start(database_url, tmp_path, catalogue=reader(catalog)) as service:
        response = await service.submit(People.clerk, certificate(), CERTIFICATE_FILES)
        assert response.status_code == 503
        assert response.json()["code"] == "catalogue_unavailable"
        assert await service.count("applications") == 0
        assert service.stored_files() == []
