"""Every service's error shape, request ids and language, through a factory-built app."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, Field

from mahaliyat.runtime import ServiceRuntime
from mahaliyat.settings import ServiceSettings
from mahaliyat.web import Problem, create_service_app
from tests.support.stack import Stack
from tests.support.waiting import eventually


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "demo"


class Centre(BaseModel):
    code: str = Field(min_length=3)
    capacity: int = Field(gt=0)


router = APIRouter()


@router.post("/centres", status_code=201)
async def create_centre(centre: Centre) -> Centre:
    return centre


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("secret detail: /etc/passwd and a stack")


@router.get("/conflict")
async def conflict() -> None:
    raise Problem(409, "fee_period_overlap", "overlaps 2026-01-01..2026-06-30")


def stack_settings(stack: Stack, tmp_path: Path) -> DemoSettings:
    """A service configured on the stack's database and broker (or in-process bus)."""
    return DemoSettings(
        environment="test",
        var_dir=tmp_path,
        database_url=stack.database.url.render_as_string(hide_password=False),
        bus_url=stack.broker_url or f"memory://{tmp_path.name}",
        bus_exchange=stack.exchange,
        bus_queue_prefix=stack.queue_prefix,
        log_json=True,
    )


@pytest.fixture
async def client(stack: Stack, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A factory-built app, on SQLite + in-process bus and on PostgreSQL + RabbitMQ."""
    settings = stack_settings(stack, tmp_path)
    app = create_service_app(
        runtime=ServiceRuntime(settings),
        title="demo",
        description="",
        api_prefix="/api/v1/demo",
        routers=[router],
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as c,
    ):
        yield c


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:  # type: ignore[type-arg]
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].startswith("https://")
    assert body["title"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body  # type: ignore[no-any-return]


async def test_404_is_a_problem(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/api/v1/demo/nowhere"), 404, "not_found")
    assert body["instance"] == "/api/v1/demo/nowhere"


async def test_405_is_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/demo/centres")
    assert_problem(response, 405, "method_not_allowed")
    assert "POST" in response.headers["allow"]


async def test_422_names_every_bad_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/demo/centres",
        json={"code": "x", "capacity": -1},
        headers={"Accept-Language": "en"},
    )
    body = assert_problem(response, 422, "validation_failed")
    fields = {(e["location"], e["field"]) for e in body["errors"]}
    assert fields == {("body", "code"), ("body", "capacity")}


async def test_malformed_json_is_a_422_naming_the_body(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/demo/centres",
        content=b"{bad",
        headers={"content-type": "application/json", "Accept-Language": "en"},
    )
    body = assert_problem(response, 422, "validation_failed")
    [error] = body["errors"]
    assert (error["location"], error["field"], error["code"]) == ("body", "body", "json_invalid")
    assert error["message"].startswith("The request body is not valid JSON")
    assert "at character 1" in error["message"]
    arabic = await client.post(
        "/api/v1/demo/centres", content=b"{bad", headers={"content-type": "application/json"}
    )
    assert assert_problem(arabic, 422, "validation_failed")["errors"][0]["field"] == "body"


async def test_500_leaks_no_stack_trace(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/api/v1/demo/boom")
    body = assert_problem(response, 500, "internal_error")
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert set(body) <= {"type", "title", "status", "code", "instance", "request_id"}
    assert any("secret detail" in r.getMessage() or r.exc_info for r in caplog.records)


async def test_domain_problem_keeps_its_code(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/api/v1/demo/conflict"), 409, "fee_period_overlap")
    assert body["detail"] == "overlaps 2026-01-01..2026-06-30"


async def test_request_id_is_passed_through_or_generated(client: httpx.AsyncClient) -> None:
    given = await client.get("/api/v1/demo/healthz", headers={"X-Request-Id": "portal-1234abcd"})
    assert given.headers["x-request-id"] == "portal-1234abcd"
    forged = await client.get("/api/v1/demo/healthz", headers={"X-Request-Id": "<script>"})
    assert forged.headers["x-request-id"] != "<script>"
    assert len(forged.headers["x-request-id"]) == 32


async def test_titles_follow_accept_language(client: httpx.AsyncClient) -> None:
    arabic = (await client.get("/api/v1/demo/nowhere")).json()
    english = (
        await client.get("/api/v1/demo/nowhere", headers={"Accept-Language": "en-GB,en;q=0.8"})
    ).json()
    assert arabic["title"] == "غير موجود"
    assert english["title"] == "Not Found"


async def test_health_ready_metrics_and_docs(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/demo/healthz")).json() == {"status": "ok", "service": "demo"}
    ready = (await client.get("/api/v1/demo/readyz")).json()
    assert ready["checks"] == {"database": "ok", "bus": "ok"}
    metrics = await client.get("/metrics")
    assert (
        'mahaliyat_http_requests_total{method="GET",route="/api/v1/demo/healthz",service="demo",status="200"}'
        in metrics.text
    )
    assert (await client.get("/api/v1/demo/openapi.json")).json()["info"]["title"] == "demo"
    assert (await client.get("/api/v1/demo/docs")).status_code == 200


async def test_readyz_fails_when_the_database_is_gone(tmp_path: Path) -> None:
    settings = DemoSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db",
        var_dir=tmp_path,
        bus_url=f"memory://{tmp_path.name}-r",
    )
    runtime = ServiceRuntime(settings)
    app = create_service_app(
        runtime=runtime, title="demo", description="", api_prefix="/api/v1/demo"
    )
    threads_before = set(threading.enumerate())
    async with app.router.lifespan_context(app):
        (tmp_path / "missing" / "dir").rename(tmp_path / "moved")  # the file's directory vanishes
        (tmp_path / "missing").rmdir()
        await runtime.database.engine.dispose()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as c:
            response = await c.get("/api/v1/demo/readyz")
    body = assert_problem(response, 503, "not_ready")
    assert body["checks"]["database"].startswith("failing")
    # aiosqlite stops the worker thread of a connection that failed to open without
    # awaiting it; the thread must finish while this test's event loop still runs.
    await eventually(
        lambda: (
            not any(
                t.is_alive() and "_connection_worker_thread" in t.name
                for t in set(threading.enumerate()) - threads_before
            )
        ),
        timeout=10,
        what="the connections' threads end",
    )
