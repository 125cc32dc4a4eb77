"""Every real service in its own uvicorn, behind the real Traefik; one that does not start fails."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mahaliyat_gateway.routes import ROUTES, Service

from .harness import Gateway

pytestmark = pytest.mark.system


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
