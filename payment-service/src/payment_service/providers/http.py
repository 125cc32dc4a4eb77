"""What the HTTP adapters share: one client, and transport failures as one error."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx

from mahaliyat.http import make_client
from payment_service.providers.base import ProviderUnavailable


def client(
    base_url: str, *, timeout_seconds: float, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    return make_client(
        base_url.rstrip("/"),
        timeout_seconds=timeout_seconds,
        connect_timeout_seconds=min(timeout_seconds, 2.0),
        transport=transport,
    )


def loads(body: bytes | str) -> Any:
    """JSON with every non-integer number as a :class:`Decimal`: amounts never pass a float."""
    return json.loads(body, parse_float=Decimal)


async def send(http: httpx.AsyncClient, provider: str, request: httpx.Request) -> httpx.Response:
    """Send ``request``; connection errors, timeouts and 5xx are :class:`ProviderUnavailable`."""
    try:
        response = await http.send(request)
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(f"{provider}: {type(exc).__name__}") from exc
    if response.status_code >= 500:
        raise ProviderUnavailable(f"{provider}: HTTP {response.status_code}")
    return response


def json_of(provider: str, response: httpx.Response) -> Any:
    try:
        return loads(response.content)
    except ValueError as exc:
        raise ProviderUnavailable(f"{provider}: an answer that is not JSON") from exc
