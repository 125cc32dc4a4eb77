"""Dependencies shared by the endpoints: adapters, If-Match, client IP (Idempotency-Key: kernel)."""

from __future__ import annotations

import ipaddress
import re
from contextlib import AbstractAsyncContextManager
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mahaliyat.problems import Problem
from request_service.adapters import Adapters


def read_connection(request: Request) -> AbstractAsyncContextManager[AsyncConnection]:
    """A pooled connection for one-row reads, in autocommit on PostgreSQL.

    ``async with read_connection(request) as db:`` once the cheap checks have
    passed (a refused request takes no connection). No BEGIN and COMMIT around a
    single SELECT: two round trips fewer than a ``Session``. Nothing is written
    through it: only the unit of work commits.
    """
    engine: AsyncEngine = request.app.state.read_engine
    return engine.connect()


async def get_adapters(request: Request) -> Adapters:  # async: no threadpool hop
    adapters: Adapters = request.app.state.adapters
    return adapters


AdaptersDep = Annotated[Adapters, Depends(get_adapters)]

_ETAG = re.compile(r'^(?:W/)?"?(\d{1,12})"?$')


def etag(version: int) -> str:
    return f'"{version}"'


async def expected_version(
    if_match: Annotated[
        str | None, Header(alias="If-Match", description='the ETag read, e.g. "3"')
    ] = None,
) -> int:
    """Every change names the version it was made against: 428 without it."""
    if if_match is None or not if_match.strip() or if_match.strip() == "*":
        raise Problem(
            428, "precondition_required", 'send If-Match with the ETag you read, e.g. "3"'
        )
    match = _ETAG.match(if_match.strip())
    if match is None:
        raise Problem(
            412, "version_mismatch", "If-Match does not name a version of this application"
        )
    return int(match.group(1))


ExpectedVersion = Annotated[int, Depends(expected_version)]


def json_response(
    model: BaseModel, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        content=model.model_dump_json(),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


def client_ip(request: Request, trusted: tuple[str, ...]) -> str:
    """The caller's address; behind a trusted proxy, the last untrusted X-Forwarded-For hop."""
    peer = request.client.host if request.client else "unknown"
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            continue
        if hop not in trusted:
            return hop
    return peer
