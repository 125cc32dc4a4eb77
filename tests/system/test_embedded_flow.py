"""One citizen's application through the embedded platform, every service for real over HTTP."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.platform import platform_url  # noqa: F401  (a fixture)

# Starting every service (demo data seeded) and Traefik counts against the first test.
pytestmark = [pytest.mark.system, pytest.mark.timeout(360)]

DEMO_PASSWORD = "Mahaliyat-demo-2026"  # development-only demo accounts, docs/identity.md


def login(client: httpx.Client, username: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/identity/staff/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_counter_filing_is_checked_against_the_catalogue_and_trackable(platform_url: str) -> None:  # noqa: F811
    with httpx.Client(base_url=platform_url, timeout=30) as client:
        clerk = login(client, "giza.front")
        service = client.get(
            "/api/v1/catalog/services/SHP-013", params={"governorate": "21"}
        ).json()
        activity = next(f for f in service["fields"] if f["name"] == "shop_activity")
        application = {
            "service_code": "SHP-013",
            "centre_code": "21-03-F01",
            "applicant": {
                "national_id": "29001012101234",
                "phone": "01012345678",
                "language": "ar",
            },
            "form": {"shop_activity": activity["options"][0]["code"]},
        }
        filed = client.post(
            "/api/v1/requests/applications",
            json=application,
            headers={**clerk, "Idempotency-Key": "flow-1"},
        )
        assert filed.status_code == 201, filed.text
        tracking = filed.json()["tracking_number"]
        assert tracking.startswith("21-")

        # A value the catalogue does not allow is refused, naming the field, and nothing is filed.
        bad = {**application, "form": {"shop_activity": "casino"}}
        refused = client.post("/api/v1/requests/applications", json=bad, headers=clerk)
        assert refused.status_code == 422
        assert "form.shop_activity" in {e["field"] for e in refused.json()["errors"]}

        status = client.post(
            "/api/v1/requests/status",
            json={"tracking_number": tracking, "national_id_last4": "1234"},
        )
        assert status.status_code == 200, status.text
        assert status.json()["state"] == "submitted"
        wrong = client.post(
            "/api/v1/requests/status",
            json={"tracking_number": tracking, "national_id_last4": "9999"},
        )
        assert wrong.status_code == 404

        # request.submitted went through the outbox and the bus to notification-service,
        # which texted the citizen in Arabic through the sandbox provider.
        admin = login(client, "admin")
        messages: list[dict[str, object]] = []
        deadline = time.monotonic() + 30
        while not messages and time.monotonic() < deadline:
            found = client.get(
                "/api/v1/notifications/messages", params={"reference": tracking}, headers=admin
            )
            assert found.status_code == 200, found.text
            messages = found.json()["items"]
            time.sleep(0.2)
        assert len(messages) == 1, messages
        sms = messages[0]
        assert sms["recipient"] == "+201012345678"
        assert sms["encoding"] == "ucs2"
        assert tracking in str(sms["body"])
