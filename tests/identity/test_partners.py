"""Partner systems: OAuth2 client credentials with scopes, RFC 6749 errors, secret rotation."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from mahaliyat.auth import Grant, TokenVerifier
from tests.identity.conftest import API, Service


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}


async def token(
    service: Service,
    client_id: str,
    secret: str,
    scope: str | None = None,
    *,
    in_body: bool = False,
) -> httpx.Response:
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    if in_body:
        data.update(client_id=client_id, client_secret=secret)
        return await service.client.post(f"{API}/token", data=data)
    return await service.client.post(f"{API}/token", data=data, headers=basic(client_id, secret))


async def new_client(service: Service, **body: Any) -> dict[str, Any]:
    admin = await service.bearer("admin")
    payload = {"name": "Ministry of Housing", "scopes": ["catalog:read", "requests:write"], **body}
    response = await service.client.post(f"{API}/admin/partners", headers=admin, json=payload)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_client_credentials_with_allowed_scopes(service: Service) -> None:
    client = await new_client(service, jurisdiction="21")
    response = await token(service, client["client_id"], client["client_secret"], "catalog:read")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "catalog:read"
    assert "refresh_token" not in body
    jwks = (await service.client.get("/.well-known/jwks.json")).json()
    principal = await TokenVerifier(
        issuer=service.settings.jwt_issuer, audience=service.settings.jwt_audience, jwks=jwks
    ).verify(body["access_token"])
    assert principal.kind == "partner"
    assert principal.subject == client["client_id"]
    assert principal.grants == (Grant("partner", "21"),)
    assert principal.scopes == {"catalog:read"}

    everything = await token(service, client["client_id"], client["client_secret"], in_body=True)
    assert everything.status_code == 200
    assert everything.json()["scope"] == "catalog:read requests:write"


async def test_a_scope_beyond_the_client_answers_invalid_scope(service: Service) -> None:
    client = await new_client(service)
    response = await token(
        service, client["client_id"], client["client_secret"], "catalog:read kpi:read"
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == "invalid_scope"
    assert "kpi:read" in response.json()["error_description"]


@pytest.mark.parametrize("how", ["wrong secret", "unknown client", "no credentials"])
async def test_bad_client_authentication_answers_invalid_client(service: Service, how: str) -> None:
    client = await new_client(service)
    if how == "wrong secret":
        response = await token(service, client["client_id"], "not-the-secret")
    elif how == "unknown client":
        response = await token(service, "mp-nobody", client["client_secret"])
    else:
        response = await service.client.post(
            f"{API}/token", data={"grant_type": "client_credentials"}
        )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")


async def test_a_disabled_client_is_refused(service: Service) -> None:
    client = await new_client(service)
    admin = await service.bearer("admin")
    disabled = await service.client.post(
        f"{API}/admin/partners/{client['id']}/disable", headers=admin
    )
    assert disabled.json()["disabled"] is True
    response = await token(service, client["client_id"], client["client_secret"])
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    await service.client.post(f"{API}/admin/partners/{client['id']}/enable", headers=admin)
    assert (await token(service, client["client_id"], client["client_secret"])).status_code == 200


async def test_a_rotated_secret_replaces_the_old_one(service: Service) -> None:
    client = await new_client(service)
    admin = await service.bearer("admin")
    rotated = await service.client.post(
        f"{API}/admin/partners/{client['id']}/secret", headers=admin
    )
    assert rotated.status_code == 200
    new_secret = rotated.json()["client_secret"]
    assert new_secret != client["client_secret"]
    assert (await token(service, client["client_id"], client["client_secret"])).status_code == 401
    assert (await token(service, client["client_id"], new_secret)).status_code == 200


async def test_secrets_are_shown_once_and_stored_hashed(service: Service) -> None:
    client = await new_client(service)
    admin = await service.bearer("admin")
    listed = (await service.client.get(f"{API}/admin/partners", headers=admin)).json()
    assert "client_secret" not in str(listed)
    from sqlalchemy import select

    from identity_service.models import PartnerClient

    async with service.database.read() as session:
        stored = await session.scalar(
            select(PartnerClient.secret_hash).where(PartnerClient.client_id == client["client_id"])
        )
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert client["client_secret"] not in stored


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"grant_type": "password", "username": "x", "password": "y"}, "unsupported_grant_type"),
        ({}, "invalid_request"),
        ({"grant_type": "refresh_token"}, "invalid_request"),
    ],
)
async def test_rfc6749_errors(sqlite_service: Service, data: dict[str, str], error: str) -> None:
    response = await sqlite_service.client.post(f"{API}/token", data=data)
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert response.headers["cache-control"] == "no-store"


async def test_the_token_endpoint_wants_a_form(sqlite_service: Service) -> None:
    response = await sqlite_service.client.post(
        f"{API}/token", json={"grant_type": "client_credentials"}
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


async def test_unknown_scopes_and_bad_jurisdictions_are_refused_at_creation(
    service: Service,
) -> None:
    admin = await service.bearer("admin")
    response = await service.client.post(
        f"{API}/admin/partners",
        headers=admin,
        json={"name": "X", "scopes": ["everything:all"], "jurisdiction": "99"},
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"scopes", "jurisdiction"}


async def test_the_demo_notification_client_gets_a_status_token(sqlite_service: Service) -> None:
    """notification-service's development defaults work against the seeded client."""
    response = await sqlite_service.client.post(
        f"{API}/token",
        data={
            "grant_type": "client_credentials",
            "scope": "requests:status",
            "client_id": "notification-service",
            "client_secret": "dev-notification-client-secret",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "requests:status"
    denied = await sqlite_service.client.post(
        f"{API}/token",
        data={
            "grant_type": "client_credentials",
            "scope": "requests:write",
            "client_id": "notification-service",
            "client_secret": "dev-notification-client-secret",
        },
    )
    assert denied.json()["error"] == "invalid_scope"


async def _kind_of(service: Service, access_token: str) -> str:
    jwks = (await service.client.get("/.well-known/jwks.json")).json()
    principal = await TokenVerifier(
        issuer=service.settings.jwt_issuer, audience=service.settings.jwt_audience, jwks=jwks
    ).verify(access_token)
    return principal.kind


async def test_the_demo_notification_client_is_a_platform_service(sqlite_service: Service) -> None:
    """request-service answers the SMS inquiry (with a phone number) to service tokens only."""
    response = await token(
        sqlite_service, "notification-service", "dev-notification-client-secret", in_body=True
    )
    assert response.status_code == 200, response.text
    assert await _kind_of(sqlite_service, response.json()["access_token"]) == "service"


async def test_only_service_clients_may_hold_the_status_scope(service: Service) -> None:
    admin = await service.bearer("admin")
    refused = await service.client.post(
        f"{API}/admin/partners",
        headers=admin,
        json={"name": "A ministry", "scopes": ["requests:status"]},
    )
    assert refused.status_code == 422, refused.text
    assert {e["field"] for e in refused.json()["errors"]} == {"scopes"}

    internal = await new_client(service, kind="service", scopes=["requests:status"])
    assert internal["kind"] == "service"
    issued = await token(service, internal["client_id"], internal["client_secret"])
    assert issued.status_code == 200, issued.text
    assert issued.json()["scope"] == "requests:status"
    assert await _kind_of(service, issued.json()["access_token"]) == "service"

    partner = await new_client(service)
    assert partner["kind"] == "partner"
    upgraded = await service.client.patch(
        f"{API}/admin/partners/{partner['id']}",
        headers=admin,
        json={"scopes": ["catalog:read", "requests:status"]},
    )
    assert upgraded.status_code == 422, upgraded.text
    issued = await token(service, partner["client_id"], partner["client_secret"])
    assert await _kind_of(service, issued.json()["access_token"]) == "partner"
