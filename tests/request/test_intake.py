"""Filing: checks against the catalogue, refusals that store nothing, idempotency, tracking numbers."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from request_service.domain.tracking import SHARDS, parse_tracking_number, sharded_sequence
from request_service.settings import RequestSettings
from tests.request.conftest import (
    BUILDING_FILES,
    CERTIFICATE_FILES,
    JPEG,
    PDF,
    PNG,
    PREFIX,
    Harness,
    applicant,
    bearer,
    building,
    certificate,
    start,
)
from tests.request.tokens import People, partner_token

TRACKING = re.compile(r"^\d{2}-\d{2}-\d{7}-\d$")


async def assert_nothing_stored(service: Harness) -> None:
    assert await service.count("applications") == 0
    assert await service.count("documents") == 0
    assert await service.count("outbox") == 0
    assert await service.count("audit_log") == 0
    assert service.stored_files() == []


async def test_a_citizen_files_online(service: Harness) -> None:
    response = await service.submit(People.citizen_a, building(), BUILDING_FILES)
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/api/v1/requests/applications/{body['id']}"
    assert TRACKING.match(body["tracking_number"])
    assert body["tracking_number"].startswith("21-26-")
    assert body["state"] == "submitted"
    assert body["channel"] == "portal"
    assert body["jurisdiction"] == "21"
    assert body["centre_code"] is None
    assert body["form"] == {"area": 120, "floors": 3, "usage": "residential"}
    assert body["fee_piasters"] == 5000 + 120 * 150
    assert body["applicant"] == {
        "national_id": "28503122101234",
        "phone": "+201012345678",
        "language": "ar",
    }
    assert sorted(d["code"] for d in body["documents"]) == ["national_id_copy", "site_sketch"]
    assert {d["media_type"] for d in body["documents"]} == {"image/jpeg", "application/pdf"}
    assert body["staff"] is None
    assert body["allowed_transitions"] == ["cancelled"]
    assert len(service.stored_files()) == 2


async def test_a_clerk_files_at_a_counter_and_a_vehicle(service: Harness) -> None:
    counter = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    assert (counter["channel"], counter["centre_code"], counter["jurisdiction"]) == (
        "centre",
        "21-03-F01",
        "21-03-F01",
    )
    vehicle = await service.filed(People.clerk_mobile, certificate("21-03-M01"), CERTIFICATE_FILES)
    assert (vehicle["channel"], vehicle["centre_code"]) == ("mobile_centre", "21-03-M01")
    # A clerk files only at the centres they work at.
    response = await service.submit(People.clerk, certificate("21-03-M01"), CERTIFICATE_FILES)
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_centre"


async def test_a_partner_files_within_its_grant(service: Harness) -> None:
    filed = await service.filed(People.partner, building(), BUILDING_FILES)
    assert filed["channel"] == "partner_api"
    response = await service.submit(People.partner_alex, building("21"), BUILDING_FILES)
    assert response.status_code == 403
    without_scope = await service.submit(
        partner_token("p", scope="requests:read"),
        building(),
        BUILDING_FILES,
    )
    assert without_scope.status_code == 403
    assert without_scope.json()["code"] == "insufficient_scope"


@pytest.mark.parametrize(
    ("token", "body", "field", "code"),
    [
        (People.citizen_a, building(service_code="NOPE-9"), "service_code", "unknown_service"),
        (People.citizen_a, building(service_code="OLD-001"), "service_code", "service_inactive"),
        (People.citizen_a, building(service_code="OFF-001"), "service_code", "channel_not_offered"),
        (
            People.clerk_mobile,
            certificate("21-03-M01", service_code="BLD-001"),
            "service_code",
            "channel_not_offered",
        ),
        (People.citizen_a, building(governorate=None), "governorate", "required"),
        (People.citizen_a, building(governorate="99"), "governorate", "unknown_governorate"),
    ],
)
async def test_what_the_catalogue_does_not_offer_is_refused(
    service: Harness, token: str, body: dict[str, object], field: str, code: str
) -> None:
    response = await service.submit(token, body, BUILDING_FILES)
    assert response.status_code == 422, response.text
    assert {(e["field"], e["code"]) for e in response.json()["errors"]} == {(field, code)}
    await assert_nothing_stored(service)


async def test_a_closed_centre_refuses(service: Harness) -> None:
    from tests.request.tokens import staff

    clerk = staff("clerk-closed", ("front_office", "21-03-F09"))
    response = await service.submit(clerk, certificate("21-03-F09"), CERTIFICATE_FILES)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "centre_inactive"


@pytest.mark.parametrize(
    ("filename", "declared"),
    [
        ("id.pdf", "application/pdf"),  # a PDF name and type on PNG bytes
        ("id.pdf", "image/png"),  # the name alone says PDF
        ("id.png", "application/pdf"),  # the declared type alone says PDF
        ("id.jpg", "image/png"),
        ("id.docx", "application/octet-stream"),
    ],
)
async def test_a_name_or_type_that_disagrees_with_the_bytes_is_refused(
    service: Harness, filename: str, declared: str
) -> None:
    # The real catalogue's shape: national_id_copy names no formats, so any of the three goes.
    assert "formats" not in service.catalogue.services["BLD-001"]["documents"][0]
    files = [("national_id_copy", (filename, PNG, declared)), BUILDING_FILES[1]]
    response = await service.submit(People.citizen_a, building(), files)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {
            "field": "documents.national_id_copy",
            "location": "documents",
            "code": "type_mismatch",
            "message": "the file's name or declared type does not match its content",
        }
    ]
    await assert_nothing_stored(service)


@pytest.mark.parametrize(
    ("filename", "declared", "content"),
    [
        ("id.png", "image/png", PNG),
        ("ID.PNG", "image/x-png", PNG),
        ("scan", "application/octet-stream", PNG),  # no extension, no specific type: the bytes
        ("photo.jpeg", "image/jpg", JPEG),
        ("بطاقة.jfif", "image/pjpeg", JPEG),
    ],
)
async def test_names_and_types_that_agree_with_the_bytes_are_accepted(
    service: Harness, filename: str, declared: str, content: bytes
) -> None:
    files = [("national_id_copy", (filename, content, declared)), BUILDING_FILES[1]]
    response = await service.submit(People.citizen_a, building(), files)
    assert response.status_code == 201, response.text


async def test_a_truthful_png_where_only_pdf_is_accepted_is_refused(service: Harness) -> None:
    files = [BUILDING_FILES[0], ("site_sketch", ("sketch.png", PNG, "image/png"))]
    response = await service.submit(People.citizen_a, building(), files)
    assert response.status_code == 422, response.text
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("documents.site_sketch", "type_not_accepted")
    ]
    await assert_nothing_stored(service)


async def test_a_file_that_is_none_of_the_three_types_is_refused(service: Harness) -> None:
    files = [
        ("national_id_copy", ("id.pdf", b"<html>not a pdf</html>", "application/pdf")),
        BUILDING_FILES[1],
    ]
    response = await service.submit(People.citizen_a, building(), files)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unsupported_type"
    await assert_nothing_stored(service)


async def test_an_oversized_file_is_refused(service: Harness) -> None:
    limit = service.settings.max_document_bytes
    assert limit == 10 * 1024 * 1024
    files = [
        BUILDING_FILES[0],
        ("site_sketch", ("big.pdf", PDF + b"\0" * (limit + 1 - len(PDF)), "application/pdf")),
    ]
    response = await service.submit(People.citizen_a, building(), files)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "document_too_large"
    assert response.json()["errors"][0]["field"] == "site_sketch"
    await assert_nothing_stored(service)
    assert list(service.settings.document_root.rglob("upload-*")) == []  # no staged leftovers
    exactly = [
        BUILDING_FILES[0],
        ("site_sketch", ("max.pdf", PDF + b"\0" * (limit - len(PDF)), "application/pdf")),
    ]
    assert (await service.submit(People.citizen_a, building(), exactly)).status_code == 201


async def test_documents_over_the_total_limit_are_refused(
    database_url: str, tmp_path: Path
) -> None:
    assert RequestSettings().max_total_document_bytes == 40 * 1024 * 1024
    together = len(JPEG) + len(PDF)  # BUILDING_FILES
    async with start(database_url, tmp_path, max_total_document_bytes=together - 1) as service:
        response = await service.submit(People.citizen_a, building(), BUILDING_FILES)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "documents_too_large"
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
            ("documents", "total_too_large")
        ]
        await assert_nothing_stored(service)
        assert list(service.settings.document_root.rglob("upload-*")) == []
    async with start(
        database_url, tmp_path / "exact", max_total_document_bytes=together
    ) as service:
        app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
        # Documents added later count with those already attached.
        more = await service.client.post(
            f"{PREFIX}/applications/{app['id']}/documents",
            files=[("ownership_proof", ("deed.pdf", PDF, "application/pdf"))],
            headers=bearer(People.citizen_a, **{"If-Match": '"1"'}),
        )
        assert more.status_code == 422, more.text
        assert more.json()["code"] == "documents_too_large"
        assert await service.count("documents") == 2
        assert len(service.stored_files()) == 2


async def test_more_than_twenty_files_are_refused(service: Harness) -> None:
    files = BUILDING_FILES + [
        ("ownership_proof", (f"p{i}.pdf", PDF + bytes([i]), "application/pdf")) for i in range(19)
    ]
    assert len(files) == 21
    response = await service.submit(People.citizen_a, building(), files)
    assert response.status_code == 422
    assert response.json()["code"] == "too_many_documents"
    await assert_nothing_stored(service)


async def test_missing_documents_and_fields_are_named(service: Harness) -> None:
    body = building()
    del body["form"]["area"]
    body["form"]["floors"] = 40
    body["applicant"] = applicant(national_id="12345", phone="0123")
    response = await service.submit(People.citizen_a, body, [BUILDING_FILES[1]])
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_application"
    assert {(e["field"], e["code"]) for e in response.json()["errors"]} == {
        ("applicant.national_id", "national_id_format"),
        ("applicant.phone", "mobile_format"),
        ("form.area", "required"),
        ("form.floors", "above_maximum"),
        ("documents.national_id_copy", "required"),
    }
    await assert_nothing_stored(service)


async def test_malformed_bodies_are_4xx(service: Harness) -> None:
    headers = {"Authorization": f"Bearer {People.citizen_a}"}
    bad_json = await service.client.post(
        "/api/v1/requests/applications",
        data={"application": "{not json"},
        files=BUILDING_FILES,
        headers=headers,
    )
    assert bad_json.status_code == 422
    missing_part = await service.client.post(
        "/api/v1/requests/applications", data={"other": "x"}, files=BUILDING_FILES, headers=headers
    )
    assert missing_part.status_code == 422
    assert missing_part.json()["errors"][0]["field"] == "application"
    unknown_key = await service.submit(
        People.citizen_a, {**building(), "colour": "red"}, BUILDING_FILES
    )
    assert unknown_key.status_code == 422
    assert unknown_key.json()["errors"][0]["field"] == "application.colour"
    text = await service.client.post(
        "/api/v1/requests/applications",
        content=b"hello",
        headers={**headers, "Content-Type": "text/plain"},
    )
    assert text.status_code == 415
    unauthenticated = await service.client.post("/api/v1/requests/applications", json=building())
    assert unauthenticated.status_code == 401
    await assert_nothing_stored(service)


async def test_a_retry_with_the_same_key_returns_the_first_application(service: Harness) -> None:
    first = await service.submit(People.citizen_a, building(), BUILDING_FILES, key="retry-1")
    assert first.status_code == 201
    again = await service.submit(People.citizen_a, building(), BUILDING_FILES, key="retry-1")
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    assert await service.count("applications") == 1
    assert len(await service.events("request.submitted")) == 1

    changed = building()
    changed["form"]["area"] = 121
    conflict = await service.submit(People.citizen_a, changed, BUILDING_FILES, key="retry-1")
    assert conflict.status_code == 422
    assert conflict.json()["code"] == "idempotency_key_reused"
    # Keys belong to their principal: another citizen's same key is another request.
    other = await service.submit(People.citizen_b, building(), BUILDING_FILES, key="retry-1")
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]
    assert await service.count("applications") == 2


async def test_a_refused_attempt_does_not_use_up_the_key(service: Harness) -> None:
    refused = await service.submit(People.citizen_a, building(), [BUILDING_FILES[1]], key="k-2")
    assert refused.status_code == 422
    accepted = await service.submit(People.citizen_a, building(), BUILDING_FILES, key="k-2")
    assert accepted.status_code == 201


async def test_concurrent_retries_file_once(service: Harness) -> None:
    responses = await asyncio.gather(
        *(
            service.submit(People.citizen_a, building(), BUILDING_FILES, key="burst")
            for _ in range(5)
        )
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert await service.count("applications") == 1


async def test_tracking_numbers_are_unique_under_concurrent_submissions(service: Harness) -> None:
    async def file(i: int) -> str:
        token = People.citizen_a if i % 2 else People.citizen_b
        response = await service.submit(token, building(), BUILDING_FILES)
        assert response.status_code == 201, response.text
        return str(response.json()["tracking_number"])

    numbers = await asyncio.gather(*(file(i) for i in range(24)))
    assert len(set(numbers)) == 24
    parsed = [parse_tracking_number(n) for n in numbers]
    assert all(p is not None and p.governorate == "21" and p.year == 26 for p in parsed)
    # Each counter shard gives out its own numbers in turn, none skipped when nothing failed.
    by_shard: dict[int, list[int]] = {}
    for p in parsed:
        assert p is not None
        by_shard.setdefault((p.sequence - 1) % SHARDS, []).append(p.sequence)
    for shard, sequences in by_shard.items():
        assert sorted(sequences) == [sharded_sequence(shard, n + 1) for n in range(len(sequences))]
    # Another governorate has its own counters.
    alex = parse_tracking_number(
        (await service.filed(People.clerk_alex, certificate("02-01-F01"), CERTIFICATE_FILES))[
            "tracking_number"
        ]
    )
    assert alex is not None
    assert (alex.governorate, alex.year) == ("02", 26)
    assert alex.sequence <= SHARDS  # the first number of whichever shard it drew


async def test_the_year_is_cairo_s(service: Harness) -> None:
    from datetime import UTC, datetime

    service.clock.now = datetime(
        2026, 12, 31, 22, 30, tzinfo=UTC
    )  # 00:30 on 1 January 2027 in Cairo
    filed = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    number = parse_tracking_number(filed["tracking_number"])
    assert number is not None
    assert (number.governorate, number.year) == ("21", 27)
    assert number.sequence <= SHARDS  # the new year's counters start again


async def test_json_filing_for_a_service_without_documents(service: Harness) -> None:
    body = {
        "service_code": "OFF-001",
        "centre_code": "21-03-F01",
        "applicant": applicant(),
        "form": {},
    }
    response = await service.client.post(
        "/api/v1/requests/applications",
        content=json.dumps(body),
        headers={"Authorization": f"Bearer {People.clerk}", "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["fee_piasters"] == 0
