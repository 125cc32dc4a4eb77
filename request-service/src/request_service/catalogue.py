"""Reading the catalogue: the ``CatalogueReader`` interface and its HTTP implementation.

catalog-service's public read API (docs/contracts.md) is called through a small
TTL cache; ``catalog.service.*`` and ``catalog.fee.changed`` events drop a
service's cached entries early, ``catalog.centre.updated`` a centre's. Tests use an in-memory reader implementing the same interface.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import httpx

from request_service.domain.catalogue import (
    CatalogueFormatError,
    Centre,
    Quote,
    ServiceDefinition,
    parse_centre,
    parse_quote,
    parse_service,
)

log = logging.getLogger(__name__)

T = TypeVar("T")


class CatalogueUnavailable(Exception):
    """The catalogue did not answer usefully; the caller answers 503."""


class QuoteRejected(Exception):
    """The catalogue refused the quote inputs (its 422); ``errors`` name the inputs."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("quote inputs refused")
        self.errors = errors


class CatalogueReader(Protocol):
    async def service(self, code: str, governorate: str, on: date) -> ServiceDefinition | None:
        """The service as offered in ``governorate`` on ``on``; None when the code is unknown."""

    async def centre(self, code: str) -> Centre | None: ...

    async def quote(
        self, code: str, governorate: str, on: date, inputs: Mapping[str, Any]
    ) -> Quote: ...

    def invalidate(self, service_code: str | None = None) -> None:
        """Forget cached entries of one service (or everything)."""

    def invalidate_centre(self, centre_code: str | None = None) -> None:
        """Forget a cached centre (or every centre)."""

    async def close(self) -> None: ...


class _TTLCache:
    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[tuple[str, ...], tuple[float, Any]] = {}

    def get(self, key: tuple[str, ...]) -> tuple[bool, Any]:
        hit = self._entries.get(key)
        if hit is None or hit[0] <= self.clock():
            self._entries.pop(key, None)
            return False, None
        return True, hit[1]

    def put(self, key: tuple[str, ...], value: Any) -> None:
        if len(self._entries) > 10_000:  # bounded: drop expired, then everything
            now = self.clock()
            self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            if len(self._entries) > 10_000:
                self._entries.clear()
        self._entries[key] = (self.clock() + self.seconds, value)

    def drop(self, kind: str, code: str | None) -> None:
        self._entries = {
            k: v
            for k, v in self._entries.items()
            if not (k[0] == kind and (code is None or k[1] == code))
        }


class HttpCatalogue:
    """catalog-service over HTTP, with a TTL cache of services, centres and quotes."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        cache_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.cache = _TTLCache(cache_seconds, clock)

    async def service(self, code: str, governorate: str, on: date) -> ServiceDefinition | None:
        key = ("service", code, governorate, on.isoformat())
        found, cached = self.cache.get(key)
        if found:
            result: ServiceDefinition | None = cached
            return result
        response = await self._call(
            "GET",
            f"/api/v1/catalog/services/{quote(code, safe='')}",
            params={"governorate": governorate, "on": on.isoformat()},
        )
        service = None if response.status_code == 404 else self._parse(response, parse_service)
        self.cache.put(key, service)
        return service

    async def centre(self, code: str) -> Centre | None:
        key = ("centre", code)
        found, cached = self.cache.get(key)
        if found:
            result: Centre | None = cached
            return result
        response = await self._call("GET", f"/api/v1/catalog/centres/{quote(code, safe='')}")
        centre = None if response.status_code == 404 else self._parse(response, parse_centre)
        self.cache.put(key, centre)
        return centre

    async def quote(
        self, code: str, governorate: str, on: date, inputs: Mapping[str, Any]
    ) -> Quote:
        body = {"governorate": governorate, "on": on.isoformat(), "inputs": dict(inputs)}
        key = ("quote", code, json.dumps(body, sort_keys=True, default=str))
        found, cached = self.cache.get(key)
        if found:
            result: Quote = cached
            return result
        response = await self._call(
            "POST", f"/api/v1/catalog/services/{quote(code, safe='')}/quote", json=body
        )
        if response.status_code == 422:
            try:
                errors = list(response.json().get("errors") or [])
            except ValueError:
                errors = []
            raise QuoteRejected(errors)
        parsed = self._parse(response, parse_quote)
        self.cache.put(key, parsed)
        return parsed

    def invalidate(self, service_code: str | None = None) -> None:
        self.cache.drop("service", service_code)
        self.cache.drop("quote", service_code)

    def invalidate_centre(self, centre_code: str | None = None) -> None:
        self.cache.drop("centre", centre_code)

    async def close(self) -> None:
        await self.client.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            log.warning("catalogue unreachable: %s %s: %r", method, path, exc)
            raise CatalogueUnavailable(f"catalogue unreachable: {exc!r}") from exc

    @staticmethod
    def _parse(response: httpx.Response, parse: Callable[[Mapping[str, Any]], T]) -> T:
        if response.status_code != 200:
            raise CatalogueUnavailable(f"catalogue answered {response.status_code}")
        try:
            return parse(response.json())
        except (ValueError, CatalogueFormatError) as exc:
            raise CatalogueUnavailable(f"catalogue answer unusable: {exc}") from exc
