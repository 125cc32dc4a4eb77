"""The kernel's input rules, through every service's own app: paging bounds on every list
endpoint its OpenAPI documents, bad JSON bodies, NUL in text, and /revoke as documented.

Lists are found by walking each service's OpenAPI for operations with a ``limit`` or
``offset`` query parameter, so a list endpoint added later is covered without being named.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mahaliyat.web import MAX_OFFSET
from mahaliyat_deploy.embedded import Dispatcher, build_apps
from mahaliyat_gateway.routes import ROUTES
from tests.conftest import temporary_postgres_database

# The services with endpoints (payment, licensing and kpi are skeletons so far).
BUILT = {"identity", "catalog", "request", "notification"}
DEMO_PASSWORD = "Mahaliyat-demo-2026"  # development-only demo accounts, docs/identity.md
OUT_OF_BOUNDS = {
    "offset": [str(2**63), str(2**64), "-1", str(MAX_OFFSET + 1)],
    "limit": ["0", "-1", str(2**63), str(2**64), "1000000"],
}


@pytest.fixture(params=["sqlite", "postgresql"])
async def platform(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """Every service with demo identities, each on its SQLite file or its PostgreSQL database."""
    async with contextlib.AsyncExitStack() as stack:
        common: dict[str, Any] = {
            "seed_demo_data": True,
            "bus_url": f"memory://{uuid.uuid4().hex}",
            "log_json": False,
            "log_level": "WARNING",
        }
        apps = {}
        for service in ROUTES:
            overrides = dict(common)
            if request.param == "postgresql":
                overrides["database_url"] = await stack.enter_async_context(
                    temporary_postgres_database()
                )
            apps[service.name] = build_apps(tmp_path / "var", overrides)[service.name]
        dispatcher = Dispatcher(apps)
        transport = httpx.ASGITransport(app=dispatcher)
        await stack.enter_async_context(dispatcher.lifespan())
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://platform", timeout=60)
        )
        yield client


async def admin_headers(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.post(
        "/api/v1/identity/staff/login", json={"username": "admin", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def spec_of(client: httpx.AsyncClient, prefix: str) -> dict[str, Any]:
    response = await client.get(f"{prefix}/openapi.json")
    assert response.status_code == 200
    spec: dict[str, Any] = response.json()
    return spec


def _sample(parameter: dict[str, Any]) -> str:
    if "example" in parameter:
        return str(parameter["example"])
    schema = parameter.get("schema", {})
    return "1" if schema.get("type") == "integer" else "x"


async def paged_operations(
    client: httpx.AsyncClient,
) -> list[tuple[str, str, dict[str, str], dict[str, Any]]]:
    """(service, path, required query values, {limit|offset: schema}) of every paged GET."""
    found = []
    for service in ROUTES:
        spec = await spec_of(client, service.api_prefix)
        for path, operations in spec["paths"].items():
            operation = operations.get("get")
            if operation is None or "{" in path:
                continue
            parameters = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            paging = {p["name"]: p["schema"] for p in parameters if p["name"] in OUT_OF_BOUNDS}
            if not paging:
                continue
            required = {p["name"]: _sample(p) for p in parameters if p.get("required")}
            found.append((service.name, path, required, paging))
    return found


async def check_every_list_endpoint_bounds_limit_and_offset(platform: httpx.AsyncClient) -> None:
    headers = await admin_headers(platform)
    operations = await paged_operations(platform)
    # Lists of every service are found (the walk itself could silently find nothing).
    assert {service for service, *_ in operations} >= BUILT
    assert len(operations) >= 10
    for service, path, required, paging in operations:
        for name, schema in paging.items():
            # Every bound is documented, and the kernel's offset bound is the widest.
            assert schema["minimum"] == (1 if name == "limit" else 0), (path, name)
            assert schema["maximum"] <= (MAX_OFFSET if name == "offset" else 500), (path, name)
            for value in OUT_OF_BOUNDS[name]:
                response = await platform.get(
                    path, params={**required, name: value}, headers=headers
                )
                assert response.status_code == 422, (service, path, name, value, response.text)
                assert response.headers["content-type"] == "application/problem+json"
                fields = {(e["location"], e["field"]) for e in response.json()["errors"]}
                assert ("query", name) in fields, (path, name, value, fields)
            # The largest value allowed reaches the database and is answered, not a 500.
            response = await platform.get(
                path, params={**required, name: str(schema["maximum"])}, headers=headers
            )
            assert response.status_code < 500, (path, name, response.text)
            assert response.status_code != 422, (path, name, response.text)
        if "limit" in paging:
            arabic = await platform.get(path, params={**required, "limit": "٢"}, headers=headers)
            assert arabic.status_code != 422, (path, arabic.text)


def _json_posts(spec: dict[str, Any]) -> list[str]:
    return [
        path
        for path, operations in spec["paths"].items()
        if "{" not in path
        and "application/json"
        in operations.get("post", {}).get("requestBody", {}).get("content", {})
    ]


BAD_BODIES: list[tuple[bytes, str, str]] = [
    (b"[" * 10_000 + b"]" * 10_000, "body", "json_too_deep"),
    (b'{"name": "\xc3\x28"}', "body", "utf8_invalid"),
    (b'{"name": "\xc0\xaf"}', "body", "utf8_invalid"),  # an overlong "/"
    (b'{"name": "a\\u0000b"}', "name", "nul_character"),
    (b'{"name\\u0000": "a"}', "name\\u0000", "nul_character"),
    (b'{"name": "\\udc00"}', "name", "unpaired_surrogate"),
    (b'{"amount": NaN}', "body", "json_invalid"),
    (b'{"amount": 1e999}', "body", "number_out_of_range"),
]


async def check_every_service_refuses_bad_json_bodies_naming_them(
    platform: httpx.AsyncClient,
) -> None:
    for service in ROUTES:
        spec = await spec_of(platform, service.api_prefix)
        posts = _json_posts(spec)
        assert posts or service.name not in BUILT, service.name
        # A skeleton's app refuses too: the rules run before any route is matched.
        posts = posts or [f"{service.api_prefix}/healthz"]
        for path in posts:
            for body, field, code in BAD_BODIES:
                response = await platform.post(
                    path,
                    content=body,
                    headers={"content-type": "application/json", "Accept-Language": "en"},
                )
                assert response.status_code == 422, (path, body[:30], response.text)
                assert response.headers["content-type"] == "application/problem+json"
                [error] = response.json()["errors"]
                assert (error["location"], error["field"], error["code"]) == (
                    "body",
                    field,
                    code,
                ), (path, body[:30])


async def check_every_service_refuses_nul_in_the_query_and_the_path(
    platform: httpx.AsyncClient,
) -> None:
    for service in ROUTES:
        prefix = service.api_prefix
        response = await platform.get(f"{prefix}/healthz?q=a%00b")
        assert response.status_code == 422, (prefix, response.text)
        [error] = response.json()["errors"]
        assert (error["location"], error["field"], error["code"]) == ("query", "q", "nul_character")
        bad_utf8 = await platform.get(f"{prefix}/healthz?q=%C3%28")
        assert bad_utf8.json()["errors"][0]["code"] == "utf8_invalid"
        path = await platform.get(f"{prefix}/x%00y")
        assert (path.status_code, path.json()["errors"][0]["location"]) == (422, "path")
        # Percent-escaped Arabic is as welcome as before.
        assert (
            await platform.get(f"{prefix}/healthz?q=%D8%B1%D8%AE%D8%B5%D8%A9")
        ).status_code == 200


async def check_a_nul_in_a_form_field_is_refused(platform: httpx.AsyncClient) -> None:
    response = await platform.post(
        "/api/v1/identity/token",
        content=b"grant_type=client_credentials&client_id=demo%00portal",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("client_id", "nul_character")


async def check_revoke_answers_what_its_openapi_documents(platform: httpx.AsyncClient) -> None:
    spec = await spec_of(platform, "/api/v1/identity")
    documented = spec["paths"]["/api/v1/identity/revoke"]["post"]["responses"]["200"]
    assert "content" not in documented  # RFC 7009 §2.2: the status is the answer
    login = await platform.post(
        "/api/v1/identity/staff/login", json={"username": "admin", "password": DEMO_PASSWORD}
    )
    tokens = login.json()
    for token in (tokens["refresh_token"], tokens["access_token"], "unknown-token"):
        response = await platform.post(
            "/api/v1/identity/revoke",
            data={"token": token},
        )
        assert response.status_code == 200, response.text
        assert response.content == b""
        assert "content-type" not in response.headers
        assert response.headers["cache-control"] == "no-store"
    # The refresh token's session has ended.
    refreshed = await platform.post(
        "/api/v1/identity/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert refreshed.status_code in (400, 401), refreshed.text
    assert "access_token" not in refreshed.json()


async def test_input_rules_hold_in_every_service(platform: httpx.AsyncClient) -> None:
    """One platform start per backend (seeding every service takes a while) for all checks."""
    await check_every_list_endpoint_bounds_limit_and_offset(platform)
    await check_every_service_refuses_bad_json_bodies_naming_them(platform)
    await check_every_service_refuses_nul_in_the_query_and_the_path(platform)
    await check_a_nul_in_a_form_field_is_refused(platform)
    await check_revoke_answers_what_its_openapi_documents(platform)
