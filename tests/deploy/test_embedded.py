"""The embedded platform: every service answers under its prefix through the route table's dispatcher."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from mahaliyat_deploy.embedded import Dispatcher, build_apps, create_platform
from mahaliyat_gateway.routes import ROUTES, match
from tests.conftest import RABBITMQ_URL, require, temporary_postgres_database


async def serve(dispatcher: Dispatcher) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        dispatcher.lifespan(),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=dispatcher), base_url="http://platform"
        ) as client,
    ):
        yield client


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in serve(
        create_platform(tmp_path / "var", bus_url=f"memory://{uuid.uuid4().hex}")
    ):
        yield client


@pytest.fixture
async def distributed_storage(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The same apps on PostgreSQL (a database each) and RabbitMQ."""
    await require("rabbitmq")
    async with contextlib.AsyncExitStack() as stack:
        urls = {
            s.name: await stack.enter_async_context(temporary_postgres_database()) for s in ROUTES
        }
        apps = {}
        for service in ROUTES:
            one = build_apps(
                tmp_path / "var",
                {
                    "database_url": urls[service.name],
                    "bus_url": RABBITMQ_URL,
                    "bus_exchange": f"test.{uuid.uuid4().hex[:8]}",
                },
            )
            apps[service.name] = one[service.name]
        async for client in serve(Dispatcher(apps)):
            yield client


def endpoints() -> list[tuple[str, str]]:
    return [(s.name, s.api_prefix) for s in ROUTES]


async def check_every_service(client: httpx.AsyncClient) -> None:
    for name, prefix in endpoints():
        health = await client.get(f"{prefix}/healthz")
        assert health.status_code == 200, (name, health.text)
        assert health.json() == {"status": "ok", "service": name}
        ready = await client.get(f"{prefix}/readyz")
        assert ready.status_code == 200, (name, ready.text)
        assert ready.json()["checks"] == {"database": "ok", "bus": "ok"}
        spec = await client.get(f"{prefix}/openapi.json")
        assert spec.status_code == 200
        assert f"{prefix}/healthz" in spec.json()["paths"]
        docs = await client.get(f"{prefix}/docs")
        assert docs.status_code == 200
        assert f"{prefix}/openapi.json" in docs.text


async def test_every_service_answers_under_its_prefix(embedded: httpx.AsyncClient) -> None:
    await check_every_service(embedded)


async def test_every_service_answers_on_postgresql_and_rabbitmq(
    distributed_storage: httpx.AsyncClient,
) -> None:
    await check_every_service(distributed_storage)


async def test_each_service_has_its_own_database(tmp_path: Path) -> None:
    dispatcher = create_platform(tmp_path / "var", bus_url=f"memory://{uuid.uuid4().hex}")
    async with dispatcher.lifespan():
        files = sorted(p.name for p in (tmp_path / "var").glob("*.db"))
    assert files == sorted(f"{s.name}.db" for s in ROUTES)


async def test_unrouted_paths_are_problems_and_the_index_lists_services(
    embedded: httpx.AsyncClient,
) -> None:
    missing = await embedded.get("/api/v2/nothing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    index = await embedded.get("/")
    assert index.status_code == 200
    for service in ROUTES:
        assert f"{service.api_prefix}/docs" in index.text
    assert "mahaliyat_http_requests_total" in (await embedded.get("/metrics")).text


def test_route_table_prefixes_are_unique_and_on_segment_boundaries() -> None:
    prefixes = [p for s in ROUTES for p in s.prefixes]
    assert len(prefixes) == len(set(prefixes))
    for service in ROUTES:
        assert service.api_prefix in service.prefixes
        for prefix in service.prefixes:
            assert match(prefix) == service
            assert match(prefix + "/anything") == service
    assert match("/contact") is None  # /c must not swallow /contact
    assert match("/guidelines") is None
    assert match("/api/v1/catalogue") is None


async def test_dispatcher_routes_each_prefix_to_its_own_app(tmp_path: Path) -> None:
    """Agreement with the route table through real requests: each prefix reaches its own app."""
    from prometheus_client import REGISTRY

    def unmatched(service: str) -> float:
        """All requests the service's own middleware has counted, whatever route matched."""
        return sum(
            sample.value
            for metric in REGISTRY.collect()
            if metric.name == "mahaliyat_http_requests"
            for sample in metric.samples
            if sample.name == "mahaliyat_http_requests_total"
            and sample.labels["service"] == service
        )

    dispatcher = create_platform(tmp_path / "var", bus_url=f"memory://{uuid.uuid4().hex}")
    async for client in serve(dispatcher):
        for service in ROUTES:
            for prefix in service.prefixes:
                before = {s.name: unmatched(s.name) for s in ROUTES}
                assert (await client.get(f"{prefix}/__probe__/x")).status_code == 404
                after = {s.name: unmatched(s.name) for s in ROUTES}
                changed = {name for name in after if after[name] != before[name]}
                assert changed == {service.name}, prefix
