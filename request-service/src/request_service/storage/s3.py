"""Documents in an S3-compatible bucket (AWS S3, MinIO, Ceph), path-style, SigV4-signed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

from request_service.storage import DocumentMissing, check_digest
from request_service.storage.sigv4 import EMPTY_SHA256, authorization


class S3Error(Exception):
    pass


class S3DocumentStore:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        endpoint: str,
        bucket: str,
        region: str,
        access_key: str,
        secret_key: str,
        prefix: str = "",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.endpoint = endpoint.rstrip("/")
        self.host = urlsplit(self.endpoint).netloc
        self.base_path = urlsplit(self.endpoint).path.rstrip("/")
        self.bucket = bucket
        self.region = region
        self.access_key = access_key
        self.secret_key = secret_key
        self.prefix = prefix
        self.clock = clock

    def _path(self, digest: str) -> str:
        key = self.prefix + check_digest(digest)
        return f"{self.base_path}/{quote(self.bucket, safe='')}/{quote(key, safe='/-_.~')}"

    def _signed(self, method: str, digest: str, payload_sha256: str) -> tuple[str, dict[str, str]]:
        path = self._path(digest)
        moment = self.clock()
        headers = {
            "host": self.host,
            "x-amz-content-sha256": payload_sha256,
            "x-amz-date": moment.strftime("%Y%m%dT%H%M%SZ"),
        }
        headers["authorization"] = authorization(
            method=method,
            path=path,
            query={},
            headers=headers,
            payload_sha256=payload_sha256,
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=self.region,
            moment=moment,
        )
        return f"{self.endpoint.removesuffix(self.base_path)}{path}", headers

    async def exists(self, digest: str) -> bool:
        url, headers = self._signed("HEAD", digest, EMPTY_SHA256)
        response = await self.client.head(url, headers=headers)
        if response.status_code == 404:
            return False
        if response.status_code != 200:
            raise S3Error(f"HEAD answered {response.status_code}")
        return True

    async def put(self, digest: str, source: Path) -> bool:
        try:
            if await self.exists(digest):
                return False
            body = await asyncio.to_thread(source.read_bytes)  # at most the upload limit
            url, headers = self._signed("PUT", digest, digest)  # the key is the body's SHA-256
            response = await self.client.put(url, content=body, headers=headers)
            if response.status_code not in (200, 201):
                raise S3Error(f"PUT answered {response.status_code}")
            return True
        finally:
            await asyncio.to_thread(source.unlink, missing_ok=True)

    async def read(self, digest: str) -> AsyncIterator[bytes]:
        url, headers = self._signed("GET", digest, EMPTY_SHA256)
        request = self.client.build_request("GET", url, headers=headers)
        response = await self.client.send(request, stream=True)
        if response.status_code == 404:
            await response.aclose()
            raise DocumentMissing(digest)
        if response.status_code != 200:
            await response.aclose()
            raise S3Error(f"GET answered {response.status_code}")
        return _body(response)

    async def delete(self, digest: str) -> None:
        url, headers = self._signed("DELETE", digest, EMPTY_SHA256)
        response = await self.client.delete(url, headers=headers)
        if response.status_code not in (200, 204, 404):
            raise S3Error(f"DELETE answered {response.status_code}")

    async def close(self) -> None:
        await self.client.aclose()


async def _body(response: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_bytes():
            yield chunk
    finally:
        await response.aclose()
