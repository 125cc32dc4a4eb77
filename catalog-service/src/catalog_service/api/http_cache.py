"""Cacheable answers: ``ETag`` (generation + content digest), ``Cache-Control``, 304 on a match."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from fastapi.responses import Response
from pydantic_core import to_json

from catalog_service.api.deps import Reading
from catalog_service.readmodel import Rendered
from mahaliyat.problems import PROBLEM_JSON

JSON = "application/json"
HTML = "text/html; charset=utf-8"

# For the OpenAPI document of every cacheable read.
READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the `If-None-Match` ETag is current"},
    404: {"description": "Unknown code", "content": {PROBLEM_JSON: {}}},
    422: {"description": "Invalid filter, named in `errors`", "content": {PROBLEM_JSON: {}}},
}


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def respond(reading: Reading, rendered: Rendered, *, vary: str | None = None) -> Response:
    headers = {
        "ETag": rendered.etag,
        "Cache-Control": f"public, max-age={reading.settings.cache_max_age_seconds}",
    }
    if vary:
        headers["Vary"] = vary
    if etag_matches(reading.request.headers.get("if-none-match"), rendered.etag):
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type=rendered.media_type, headers=headers)


def cached_json(reading: Reading, key: Hashable, answer: Callable[[], Any]) -> Response:
    """``answer()`` (pydantic models) as JSON, computed once per key and generation."""
    rendered = reading.snapshot.rendered(key, lambda: to_json(answer(), by_alias=True), JSON)
    return respond(reading, rendered)


async def cached_json_async(
    reading: Reading, key: Hashable, answer: Callable[[], Awaitable[Any]]
) -> Response:
    async def render() -> bytes:
        return to_json(await answer(), by_alias=True)

    return respond(reading, await reading.snapshot.rendered_async(key, render, JSON))
