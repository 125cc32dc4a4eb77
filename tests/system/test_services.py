"""Every real service in its own uvicorn, behind the real Traefik; one that does not start fails."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mahaliyat_gateway.routes import ROUTES, Service

from .harness import Gateway

# Starting every service (demo data seeded) and Traefik counts against the first test.
pytestmark = [pytest.mark.system, pytest.mark.timeout(360)]


@pytest.fixture(scope="module")
def web(services_gateway: Gateway) -> Any:
    with services_gateway.client() as client:
        yield client


@pytest.mark.parametrize("service", ROUTES, ids=lambda s: s.name)
def test_service_answers_under_its_prefix_through_the_gateway(
    web: httpx.Client, service: Service
) -> None:
    health = web.get(f"{service.api_prefix}/healthz")
    assert health.status_code == 200, health.text
    assert health.headers["content-type"].startswith("application/json")
    ready = web.get(f"{service.api_prefix}/readyz")
    assert ready.status_code == 200, ready.text
    spec = web.get(f"{service.api_prefix}/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["openapi"].startswith("3.")
    docs = web.get(f"{service.api_prefix}/docs")
    assert docs.status_code == 200
    assert "cdn.jsdelivr.net" in docs.headers["content-security-policy"]


@pytest.mark.parametrize("service", ROUTES, ids=lambda s: s.name)
def test_request_id_generated_or_passed_through(web: httpx.Client, service: Service) -> None:
    generated = web.get(f"{service.api_prefix}/healthz")
    assert len(generated.headers.get("x-request-id", "")) >= 8
    rid = "gateway-test-0123456789"
    passed = web.get(f"{service.api_prefix}/healthz", headers={"X-Request-Id": rid})
    assert passed.headers["x-request-id"] == rid


def test_unknown_path_under_a_service_is_problem_json(web: httpx.Client) -> None:
    response = web.get("/api/v1/catalog/no-such-thing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_forged_identity_headers_do_not_authenticate_a_real_service(web: httpx.Client) -> None:
    """Only a bearer token counts: identity headers a client invents reach nothing."""
    forged = {
        "X-Principal": "platform_admin",
        "X-User-Id": "admin",
        "X-Roles": "platform_admin",
        "X-Jurisdiction": "EG",
        "X-Forwarded-User": "admin",
    }
    response = web.get("/api/v1/identity/admin/staff", headers=forged)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    me = web.get("/api/v1/identity/me", headers=forged)
    assert me.status_code == 401


DEMO_PASSWORD = "Mahaliyat-demo-2026"  # development-only demo accounts, docs/identity.md


def _login(web: httpx.Client, username: str) -> dict[str, str]:
    response = web.post(
        "/api/v1/identity/staff/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize(
    ("path", "service", "expected"),
    [
        ("/.well-known/jwks.json", "identity", 200),
        ("/.well-known/openid-configuration", "identity", 200),
        ("/c/21-03-F01", "catalog", 200),
        ("/c/21-03-F01/qr.svg", "catalog", 200),
        ("/guide", "catalog", 200),
        ("/guide.pdf", "catalog", 200),
        ("/guide/21", "catalog", 200),
        # licensing and kpi have no pages yet: their own problem+json 404 proves the route
        ("/verify/LIC-0000", "licensing", 404),
        ("/dashboard", "kpi", 404),
    ],
)
def test_every_prefix_reaches_its_real_service(
    web: httpx.Client, path: str, service: str, expected: int
) -> None:
    response = web.get(path)
    assert response.status_code == expected, f"{path} -> {service}: {response.text[:300]}"
    if expected == 404:
        assert response.headers["content-type"].startswith("application/problem+json")
    assert "content-security-policy" in response.headers


def test_a_staff_token_from_identity_works_on_another_service_through_the_gateway(
    web: httpx.Client,
) -> None:
    """Log in through Traefik, then file at a counter: request-service verifies the
    token against identity's JWKS and checks the filing against the catalogue, which
    it reaches through the gateway as well."""
    clerk = _login(web, "giza.front")
    me = web.get("/api/v1/identity/me", headers=clerk)
    assert me.status_code == 200, me.text
    service = web.get("/api/v1/catalog/services/SHP-013", params={"governorate": "21"})
    assert service.status_code == 200, service.text
    activity = next(f for f in service.json()["fields"] if f["name"] == "shop_activity")
    filed = web.post(
        "/api/v1/requests/applications",
        json={
            "service_code": "SHP-013",
            "centre_code": "21-03-F01",
            "applicant": {"national_id": "29001012101234", "phone": "01012345678"},
            "form": {"shop_activity": activity["options"][0]["code"]},
        },
        headers={**clerk, "Idempotency-Key": "system-gateway-1"},
    )
    assert filed.status_code == 201, filed.text
    tracking = filed.json()["tracking_number"]
    status = web.post(
        "/api/v1/requests/status",
        json={"tracking_number": tracking, "national_id_last4": "1234"},
    )
    assert status.status_code == 200, status.text
    assert status.json()["state"] == "submitted"


def test_forged_role_headers_do_not_raise_a_real_token(web: httpx.Client) -> None:
    """A genuine low-privilege token with invented admin headers stays low-privilege."""
    viewer = _login(web, "giza.kpi")
    forged = {
        **viewer,
        "X-Roles": "platform_admin",
        "X-Role": "platform_admin",
        "X-Jurisdiction": "EG",
        "X-Principal": "admin",
        "X-Auth-Roles": "platform_admin",
    }
    response = web.get("/api/v1/identity/admin/staff", headers=forged)
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_staff_login_gets_the_strict_rate_limit(
    services_gateway: Gateway, client_source: str
) -> None:
    """Wrong passwords for ever-new usernames (so no account lockout answers): the
    service says 401 each time until Traefik's credential limit answers 429 itself."""
    seen: list[int] = []
    with services_gateway.client(source=client_source) as web:
        for n in range(40):
            response = web.post(
                "/api/v1/identity/staff/login",
                json={"username": f"nobody.{client_source}.{n}", "password": "wrong-password-1"},
            )
            seen.append(response.status_code)
            if response.status_code == 429:
                # Traefik's own answer, not the service's problem+json
                assert not response.headers.get("content-type", "").startswith(
                    "application/problem+json"
                )
                break
            assert response.status_code == 401, response.text
    assert seen[-1] == 429, seen
    # the general limit (100/s) alone would have let all of them through
    assert len(seen) <= 30, seen


def test_body_limits_are_per_service(services_gateway: Gateway, client_source: str) -> None:
    """13 MB is refused by the gateway for the catalogue but reaches request-service,
    whose own limit on a submission's documents is larger (it then answers 401 for
    want of a token)."""
    body = b"x" * (13 * 1024 * 1024)
    headers = {"Content-Type": "application/octet-stream"}
    with services_gateway.client(source=client_source) as web:
        refused = web.post("/api/v1/catalog/services", content=body, headers=headers)
        assert refused.status_code == 413
        passed = web.post("/api/v1/requests/applications", content=body, headers=headers)
        assert passed.status_code == 401, passed.text[:300]
