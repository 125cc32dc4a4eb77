"""Outgoing HTTP: one client factory with timeouts and the request id passed on."""

from __future__ import annotations

import httpx

from mahaliyat import context


async def _propagate_request_id(request: httpx.Request) -> None:
    rid = context.request_id.get()
    if rid and "x-request-id" not in request.headers:
        request.headers["X-Request-Id"] = rid


def make_client(
    base_url: str = "",
    *,
    timeout_seconds: float = 5.0,
    connect_timeout_seconds: float = 2.0,
    transport: httpx.AsyncBaseTransport | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for calling another service or a provider."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds),
        transport=transport,
        headers=headers,
        event_hooks={"request": [_propagate_request_id]},
        follow_redirects=False,
    )
