"""Outgoing HTTP (`mahaliyat.http.make_client`): the request id travels on, timeouts are set."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import APIRouter

from mahaliyat import context
from mahaliyat.http import make_client
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.settings import ServiceSettings
from mahaliyat.web import create_service_app


class Peer:
    """The service being called: answers 200 and remembers each request it got."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"ok": True})

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


async def test_the_current_request_id_is_sent_on() -> None:
    peer = Peer()
    async with make_client("http://catalog", transport=peer.transport()) as client:
        token = context.request_id.set("portal-5f3a9c1d")
        try:
            await client.get("/api/v1/catalog/services")
        finally:
            context.request_id.reset(token)
        await client.get("/api/v1/catalog/services")  # outside any request: nothing to pass on
    first, second = peer.requests
    assert first.headers["x-request-id"] == "portal-5f3a9c1d"
    assert "x-request-id" not in second.headers


async def test_an_explicit_request_id_is_not_overwritten() -> None:
    peer = Peer()
    async with make_client(transport=peer.transport()) as client:
        token = context.request_id.set("incoming-00000001")
        try:
            await client.get("http://kpi/x", headers={"X-Request-Id": "chosen-by-caller"})
        finally:
            context.request_id.reset(token)
    assert peer.requests[0].headers.get_list("x-request-id") == ["chosen-by-caller"]


async def test_timeouts_reach_the_transport() -> None:
    peer = Peer()
    async with make_client(
        "http://payment",
        timeout_seconds=3.5,
        connect_timeout_seconds=0.75,
        transport=peer.transport(),
    ) as client:
        await client.get("/invoices")
        await client.get("/slow-report", timeout=httpx.Timeout(20.0))  # a call may ask for longer
    default, longer = (r.extensions["timeout"] for r in peer.requests)
    assert default == {"connect": 0.75, "read": 3.5, "write": 3.5, "pool": 3.5}
    assert longer == {"connect": 20.0, "read": 20.0, "write": 20.0, "pool": 20.0}


async def test_defaults_bound_every_call_and_follow_no_redirects() -> None:
    def redirect(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://elsewhere/"})

    async with make_client("http://identity", transport=httpx.MockTransport(redirect)) as client:
        response = await client.get("/.well-known/jwks.json")
        assert response.status_code == 302  # a redirect is the caller's decision
        assert response.request.extensions["timeout"] == {
            "connect": 2.0,
            "read": 5.0,
            "write": 5.0,
            "pool": 5.0,
        }


async def test_a_timeout_surfaces_as_an_httpx_timeout() -> None:
    def too_slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer in time", request=request)

    async with make_client("http://sms-provider", transport=httpx.MockTransport(too_slow)) as c:
        with pytest.raises(httpx.TimeoutException):
            await c.post("/send", json={})


class CallerSettings(ServiceSettings):
    service_name: ClassVar[str] = "caller"


@pytest.fixture
async def caller(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Peer]]:
    """A service whose endpoint calls a peer: the request id of the incoming request goes on."""
    peer = Peer()
    router = APIRouter()

    @router.get("/relay")
    async def relay() -> dict[str, Any]:
        async with make_client("http://peer", transport=peer.transport()) as client:
            answer = await client.get("/ping")
        return answer.json()  # type: ignore[no-any-return]

    settings = CallerSettings(
        environment="test", var_dir=tmp_path, bus_url=f"memory://{tmp_path.name}"
    )
    app = create_service_app(
        runtime=ServiceRuntime(settings),
        title="caller",
        description="",
        api_prefix="/api/v1/caller",
        routers=[router],
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        yield client, peer


async def test_a_service_passes_its_request_id_to_the_services_it_calls(
    caller: tuple[httpx.AsyncClient, Peer],
) -> None:
    client, peer = caller
    given = await client.get("/api/v1/caller/relay", headers={"X-Request-Id": "gateway-77aa88bb"})
    assert given.status_code == 200
    generated = await client.get("/api/v1/caller/relay")
    assert [r.headers["x-request-id"] for r in peer.requests] == [
        "gateway-77aa88bb",
        generated.headers["x-request-id"],
    ]
