"""Status by tracking number: the public inquiry (no enumeration) and the service inquiry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from request_service.domain.tracking import TrackingNumber
from tests.request.conftest import (
    BUILDING_FILES,
    CERTIFICATE_FILES,
    PREFIX,
    Harness,
    bearer,
    building,
    certificate,
    start,
)
from tests.request.tokens import OFFICERS, People, partner_token, token

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


async def inquire(
    service: Harness, number: str, last4: str, ip: str | None = None
) -> tuple[int, dict[str, Any]]:
    headers = {"X-Forwarded-For": ip} if ip else {}
    response = await service.client.post(
        f"{PREFIX}/status",
        json={"tracking_number": number, "national_id_last4": last4},
        headers=headers,
    )
    return response.status_code, response.json()


async def test_public_inquiry(service: Harness) -> None:
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    number = app["tracking_number"]
    status, body = await inquire(service, number, "1234")
    assert status == 200
    assert body["state"] == "submitted"
    assert body["service_name"] == {"ar": "ترخيص بناء", "en": "Building permit"}
    assert body["next_step"]["ar"]
    assert "applicant" not in body
    assert "28503122101234" not in str(body)
    # Without dashes, in Arabic-Indic digits.
    assert (await inquire(service, number.replace("-", "").translate(ARABIC), "١٢٣٤"))[0] == 200


async def test_public_inquiry_gives_the_latest_reason(staffed: Harness) -> None:
    service = staffed
    app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    number = app["tracking_number"]
    assert (await inquire(service, number, "1234"))[1]["reason"] is None
    app = await service.moved(People.clerk2, app, "under_review")
    app = await service.moved(People.clerk2, app, "in_processing")
    officer = OFFICERS[app["staff"]["assigned_officer_id"]]
    first = {"ar": "الصورة غير واضحة", "en": "The copy is unreadable"}
    app = await service.moved(officer, app, "returned_to_citizen", first)
    assert (await inquire(service, number, "1234"))[1]["reason"] == first
    app = await service.moved(People.clerk2, app, "in_processing")
    assert (await inquire(service, number, "1234"))[1]["reason"] is None
    second = {"ar": "ينقص التوقيع", "en": "The signature is missing"}
    app = await service.moved(officer, app, "returned_to_citizen", second)
    status, body = await inquire(service, number, "1234")
    assert (status, body["state"], body["reason"]) == (200, "returned_to_citizen", second)


async def test_unknown_and_wrong_pair_answer_the_same(service: Harness) -> None:
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    number = app["tracking_number"]
    wrong_pair = await inquire(service, number, "9999")
    unknown = await inquire(service, str(TrackingNumber("21", 26, 9999)), "1234")
    mistyped = await inquire(service, number[:-1] + str((int(number[-1]) + 1) % 10), "1234")
    bodies = []
    for status, body in (wrong_pair, unknown, mistyped):
        assert status == 404
        bodies.append({k: v for k, v in body.items() if k not in ("request_id",)})
    assert bodies[0] == bodies[1] == bodies[2]


async def test_inquiries_are_rate_limited_per_client(database_url: str, tmp_path: Path) -> None:
    async with start(database_url, tmp_path, status_inquiry_per_minute=3) as service:
        app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
        for _ in range(3):
            assert (await inquire(service, app["tracking_number"], "0000", "203.0.113.7"))[0] == 404
        status, body = await inquire(service, app["tracking_number"], "1234", "203.0.113.7")
        assert status == 429
        assert body["code"] == "too_many_inquiries"
        # Another client is not affected.
        assert (await inquire(service, app["tracking_number"], "1234", "198.51.100.9"))[0] == 200


async def test_service_inquiry_for_notifications(service: Harness) -> None:
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    response = await service.client.get(
        f"{PREFIX}/inquiry/{app['tracking_number'].replace('-', '')}",
        headers=bearer(People.notifier),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "tracking_number",
        "state",
        "service_name",
        "applicant_phone",
        "language",
        "updated_at",
        "due_at",
        "next_step",
    }
    assert (body["tracking_number"], body["state"], body["applicant_phone"], body["language"]) == (
        app["tracking_number"],
        "submitted",
        "+201012345678",
        "ar",
    )
    unknown = await service.client.get(
        f"{PREFIX}/inquiry/21-26-0000000-0", headers=bearer(People.notifier)
    )
    assert unknown.status_code == 404
    no_scope = await service.client.get(
        f"{PREFIX}/inquiry/{app['tracking_number']}",
        headers=bearer(partner_token("p", scope="requests:read")),
    )
    assert no_scope.status_code == 403
    elsewhere = token("notifier-alex", "service", [("partner", "02")], "requests:status")
    outside = await service.client.get(
        f"{PREFIX}/inquiry/{app['tracking_number']}", headers=bearer(elsewhere)
    )
    assert outside.status_code == 404
    assert (
        await service.client.get(f"{PREFIX}/inquiry/{app['tracking_number']}")
    ).status_code == 401


async def test_a_partner_system_cannot_read_the_applicant_s_phone(service: Harness) -> None:
    """A partner holding requests:status and a grant over everything is still not a service."""
    for filer in (People.citizen_a, People.partner_status):
        app = await service.filed(filer, building(), BUILDING_FILES)
        refused = await service.client.get(
            f"{PREFIX}/inquiry/{app['tracking_number']}", headers=bearer(People.partner_status)
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
        assert "+2010" not in refused.text
    # The platform's own service credential still gets it.
    allowed = await service.client.get(
        f"{PREFIX}/inquiry/{app['tracking_number']}", headers=bearer(People.notifier)
    )
    assert allowed.status_code == 200
    assert allowed.json()["applicant_phone"] == "+201012345678"
