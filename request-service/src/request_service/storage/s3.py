"""Documents in an S3-compatible bucket (AWS S3, MinIO, Ceph), path-style, through ``obstore``.

``obstore`` (the Python binding of the Rust ``object_store`` crate) signs the requests
(SigV4), retries what is safe to retry, and uploads large files in parts. Every error it
raises becomes :class:`DocumentStoreError`, a missing object :class:`DocumentMissing`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import obstore
from obstore.exceptions import BaseError
from obstore.store import S3Store

from request_service.storage import DocumentMissing, DocumentStoreError, check_digest

CHUNK = 64 * 1024
# obstore's errors carry a multi-line debug dump after the first line: keep the first.
_Failure = (BaseError, OSError)


def _reason(error: BaseException) -> str:
    return str(error).split("\n", 1)[0]


class S3DocumentStore:
    def __init__(
        self,
        *,
        endpoint: str,
        bucket: str,
        region: str,
        access_key: str,
        secret_key: str,
        prefix: str = "",
        timeout_seconds: float = 30.0,
        max_retries: int = 3,
    ) -> None:
        """Objects are named ``<prefix><sha256>``; ``prefix`` is used as given ("documents/")."""
        timeout = timedelta(seconds=timeout_seconds)
        self.bucket = bucket
        self.prefix = prefix
        self.store = S3Store(
            bucket,
            endpoint=endpoint.rstrip("/"),
            region=region,
            access_key_id=access_key,
            secret_access_key=secret_key,
            virtual_hosted_style_request=False,
            client_options={
                "allow_http": endpoint.startswith("http://"),
                "timeout": timeout,
                "connect_timeout": timeout,
            },
            retry_config={"max_retries": max_retries, "retry_timeout": timeout},
        )

    def key_of(self, digest: str) -> str:
        return self.prefix + check_digest(digest)

    async def exists(self, digest: str) -> bool:
        key = self.key_of(digest)
        try:
            await obstore.head_async(self.store, key)
        except FileNotFoundError:  # obstore's NotFoundError is one
            return False
        except _Failure as error:
            raise DocumentStoreError(f"S3 HEAD {key}: {_reason(error)}") from error
        return True

    async def put(self, digest: str, source: Path) -> bool:
        key = self.key_of(digest)
        try:
            # Content-addressed: an object already under the key holds these bytes. A race
            # between two uploads of the same bytes writes the same object twice, harmlessly.
            if await self.exists(digest):
                return False
            try:
                await obstore.put_async(self.store, key, source)  # in parts above 5 MiB
            except _Failure as error:
                raise DocumentStoreError(f"S3 PUT {key}: {_reason(error)}") from error
            return True
        finally:
            await asyncio.to_thread(source.unlink, missing_ok=True)

    async def read(self, digest: str) -> AsyncIterator[bytes]:
        key = self.key_of(digest)
        try:
            result = await obstore.get_async(self.store, key)
        except FileNotFoundError:
            raise DocumentMissing(digest) from None
        except _Failure as error:
            raise DocumentStoreError(f"S3 GET {key}: {_reason(error)}") from error
        return _chunks(result.stream(min_chunk_size=CHUNK), key)

    async def delete(self, digest: str) -> None:
        key = self.key_of(digest)
        try:
            await obstore.delete_async(self.store, key)
        except FileNotFoundError:
            return
        except _Failure as error:
            raise DocumentStoreError(f"S3 DELETE {key}: {_reason(error)}") from error

    async def close(self) -> None:
        return None  # obstore's connection pool goes with the store


async def _chunks(stream: AsyncIterator[bytes], key: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in stream:
            yield bytes(chunk)
    except _Failure as error:
        raise DocumentStoreError(f"S3 GET {key}: {_reason(error)}") from error
