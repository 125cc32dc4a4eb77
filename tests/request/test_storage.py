"""Document stores: one contract suite run on local files and on S3 (a real S3 server, moto's).

The S3 adapter is checked against a server it does not share code with: bytes it stored
are also fetched with plain HTTP past the adapter, and a store whose server is cut off
must raise the port's ``DocumentStoreError``, never a library exception.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from request_service.storage import DocumentMissing, DocumentStore, DocumentStoreError
from request_service.storage.local import LocalDocumentStore
from request_service.storage.s3 import S3DocumentStore
from tests.request.conftest import BUILDING_FILES, JPEG, PDF, bearer, building, start
from tests.request.tokens import People
from tests.support import s3server
from tests.support.tcpproxy import TcpProxy

ARABIC_PLACE = "مستندات الطلبات/طلب ١"  # Arabic, spaces and Arabic-Indic digits


def staged(tmp_path: Path, content: bytes, name: str = "upload") -> tuple[str, Path]:
    path = tmp_path / name
    path.write_bytes(content)
    return hashlib.sha256(content).hexdigest(), path


async def read_all(chunks: AsyncIterator[bytes]) -> bytes:
    data = b""
    async for chunk in chunks:
        data += chunk
    return data


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with s3server.running(tmp_path_factory.mktemp("s3") / "moto.log") as endpoint:
        yield endpoint


def s3_store(
    endpoint: str, bucket: str, prefix: str = "documents/", **extra: Any
) -> S3DocumentStore:
    return S3DocumentStore(
        endpoint=endpoint,
        bucket=bucket,
        region=s3server.REGION,
        access_key=s3server.ACCESS_KEY,
        secret_key=s3server.SECRET_KEY,
        prefix=prefix,
        **extra,
    )


@dataclass
class Backend:
    """A store, how to make another in an Arabic-named place, and a look past the adapter."""

    name: str
    store: DocumentStore
    # A second store of the same kind whose directory or key prefix is ARABIC_PLACE.
    elsewhere: Callable[[], DocumentStore]
    # The bytes stored under a digest, read without the adapter (None: not there).
    stored: Callable[[DocumentStore, str], bytes | None]
    # Make the store unusable (server down, directory tree broken).
    break_store: Callable[[], Awaitable[DocumentStore]]


def _local(tmp_path: Path) -> Backend:
    root = tmp_path / "documents"

    def stored(store: DocumentStore, digest: str) -> bytes | None:
        assert isinstance(store, LocalDocumentStore)
        path = store.root / digest[:2] / digest[2:4] / digest
        return path.read_bytes() if path.is_file() else None

    async def break_store() -> DocumentStore:
        broken = LocalDocumentStore(tmp_path / "broken")
        shutil.rmtree(broken.root)
        broken.root.write_bytes(b"a file where the tree should be")
        return broken

    return Backend(
        "local",
        LocalDocumentStore(root),
        lambda: LocalDocumentStore(tmp_path / ARABIC_PLACE),
        stored,
        break_store,
    )


def _s3(endpoint: str, proxies: list[TcpProxy]) -> Backend:
    bucket = s3server.new_bucket(endpoint)

    def stored(store: DocumentStore, digest: str) -> bytes | None:
        assert isinstance(store, S3DocumentStore)
        response = s3server.raw_object(endpoint, bucket, store.prefix + digest)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return response.content

    async def break_store() -> DocumentStore:
        # Through a proxy the test owns, then the proxy is cut: the server looks down.
        host, port = endpoint.removeprefix("http://").split(":")
        proxy = TcpProxy(host, int(port))
        await proxy.start()
        proxies.append(proxy)
        broken = s3_store(f"http://127.0.0.1:{proxy.port}", bucket, max_retries=1)
        assert await broken.exists("0" * 64) is False  # it answered before the cut
        await proxy.cut()
        return broken

    return Backend(
        "s3",
        s3_store(endpoint, bucket),
        lambda: s3_store(endpoint, bucket, prefix=ARABIC_PLACE + "/"),
        stored,
        break_store,
    )


@pytest.fixture(params=["local", "s3"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    proxies: list[TcpProxy] = []
    if request.param == "local":
        made = _local(tmp_path)
    else:
        made = _s3(request.getfixturevalue("s3_endpoint"), proxies)
    try:
        yield made
    finally:
        await made.store.close()
        for proxy in proxies:
            await proxy.cut()


async def test_round_trip_byte_for_byte(backend: Backend, tmp_path: Path) -> None:
    content = bytes(range(256)) * 4 + "عقد إيجار\r\n\x00".encode()
    digest, path = staged(tmp_path, content)
    assert await backend.store.exists(digest) is False
    assert await backend.store.put(digest, path) is True
    assert not path.exists()  # the staged file is consumed
    assert await backend.store.exists(digest) is True
    assert await read_all(await backend.store.read(digest)) == content
    assert backend.stored(backend.store, digest) == content


async def test_a_missing_document(backend: Backend) -> None:
    digest = hashlib.sha256(b"never stored").hexdigest()
    assert await backend.store.exists(digest) is False
    with pytest.raises(DocumentMissing):
        await backend.store.read(digest)
    await backend.store.delete(digest)  # nothing to delete is not an error


async def test_what_is_stored_is_never_overwritten(backend: Backend, tmp_path: Path) -> None:
    digest, first = staged(tmp_path, b"%PDF-1.7 first", "first")
    assert await backend.store.put(digest, first) is True
    # Even bytes that do not match the name do not replace what the name already holds.
    second = tmp_path / "second"
    second.write_bytes(b"%PDF-1.7 other bytes")
    assert await backend.store.put(digest, second) is False
    assert not second.exists()  # consumed all the same
    assert await read_all(await backend.store.read(digest)) == b"%PDF-1.7 first"
    assert backend.stored(backend.store, digest) == b"%PDF-1.7 first"


async def test_a_large_document(backend: Backend, tmp_path: Path) -> None:
    # Above 5 MiB, so the S3 adapter uploads in parts; read back in many chunks.
    content = random.Random(10).randbytes(6 * 1024 * 1024 + 123)
    digest, path = staged(tmp_path, content)
    assert await backend.store.put(digest, path) is True
    chunks = [chunk async for chunk in await backend.store.read(digest)]
    assert len(chunks) > 1
    assert b"".join(chunks) == content
    assert hashlib.sha256(backend.stored(backend.store, digest) or b"").hexdigest() == digest


async def test_a_place_named_in_arabic_with_spaces(backend: Backend, tmp_path: Path) -> None:
    store = backend.elsewhere()
    content = "صورة بطاقة الرقم القومي".encode()
    digest, path = staged(tmp_path, content)
    assert await store.put(digest, path) is True
    assert await read_all(await store.read(digest)) == content
    assert backend.stored(store, digest) == content
    assert backend.stored(backend.store, digest) is None  # a place of its own
    await store.close()


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "/etc/passwd", "a" * 63, "A" * 64, "..%2f" * 13, "g" * 64, "طلب 1"],
)
async def test_only_a_digest_names_a_document(backend: Backend, tmp_path: Path, name: str) -> None:
    _, path = staged(tmp_path, b"bytes")
    with pytest.raises(ValueError, match="SHA-256"):
        await backend.store.put(name, path)
    with pytest.raises(ValueError, match="SHA-256"):
        await backend.store.read(name)
    with pytest.raises(ValueError, match="SHA-256"):
        await backend.store.exists(name)
    with pytest.raises(ValueError, match="SHA-256"):
        await backend.store.delete(name)


async def test_delete(backend: Backend, tmp_path: Path) -> None:
    digest, path = staged(tmp_path, b"\x89PNG\r\n\x1a\n pixels")
    kept, other = staged(tmp_path, b"kept", "other")
    assert await backend.store.put(digest, path) is True
    assert await backend.store.put(kept, other) is True
    await backend.store.delete(digest)
    assert await backend.store.exists(digest) is False
    with pytest.raises(DocumentMissing):
        await backend.store.read(digest)
    assert backend.stored(backend.store, digest) is None
    assert await read_all(await backend.store.read(kept)) == b"kept"


async def test_an_unusable_store_raises_the_ports_error(backend: Backend, tmp_path: Path) -> None:
    broken = await backend.break_store()
    digest, path = staged(tmp_path, b"bytes")
    with pytest.raises(DocumentStoreError):
        await broken.put(digest, path)
    with pytest.raises(DocumentStoreError):
        await broken.exists(digest)
    with pytest.raises(DocumentStoreError):
        await broken.read(digest)
    with pytest.raises(DocumentStoreError):
        await broken.delete(digest)
    await broken.close()


async def test_the_service_keeps_documents_in_s3(
    database_url: str, tmp_path: Path, s3_endpoint: str
) -> None:
    """Upload and download through the API with document_store=s3: bytes and type kept."""
    bucket = s3server.new_bucket(s3_endpoint)
    async with start(
        database_url,
        tmp_path,
        document_store="s3",
        s3_endpoint=s3_endpoint,
        s3_bucket=bucket,
        s3_region=s3server.REGION,
        s3_access_key=s3server.ACCESS_KEY,
        s3_secret_key=s3server.SECRET_KEY,
        s3_prefix="مستندات/",
    ) as service:
        app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
        assert service.stored_files() == []  # nothing on the local disk
        for code, content, content_type in (
            ("national_id_copy", JPEG, "image/jpeg"),
            ("site_sketch", PDF, "application/pdf"),
        ):
            document = next(d for d in app["documents"] if d["code"] == code)
            raw = s3server.raw_object(s3_endpoint, bucket, "مستندات/" + document["sha256"])
            assert (raw.status_code, raw.content) == (200, content)
            response = await service.client.get(document["href"], headers=bearer(People.clerk_hq))
            assert response.status_code == 200, response.text
            assert response.content == content
            assert response.headers["content-type"] == content_type
        # Removed from the bucket behind the service's back: it says so (410), it does not fail.
        sketch = next(d for d in app["documents"] if d["code"] == "site_sketch")
        s3server.raw_delete(s3_endpoint, bucket, "مستندات/" + sketch["sha256"])
        gone = await service.client.get(sketch["href"], headers=bearer(People.clerk_hq))
        assert (gone.status_code, gone.json()["code"]) == (410, "document_missing")


def test_the_store_is_chosen_by_configuration(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from request_service.app import document_store
    from request_service.settings import RequestSettings

    local = document_store(RequestSettings(var_dir=tmp_path, environment="test"))
    assert isinstance(local, LocalDocumentStore)
    assert local.root == (tmp_path / "documents").resolve()
    s3 = document_store(
        RequestSettings(
            var_dir=tmp_path,
            environment="test",
            document_store="s3",
            s3_endpoint="http://minio:9000",
            s3_bucket="mahaliyat",
            s3_access_key="minio",
            s3_secret_key="minio-secret-key",
        )
    )
    assert isinstance(s3, S3DocumentStore)
    assert (s3.bucket, s3.key_of("a" * 64)) == ("mahaliyat", "documents/" + "a" * 64)
    with pytest.raises(ValidationError, match="S3 keys"):
        RequestSettings(
            var_dir=tmp_path, environment="test", document_store="s3", s3_endpoint="http://x"
        )


def test_production_refuses_a_missing_applicant_ref_key(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from request_service.settings import RequestSettings

    with pytest.raises(ValidationError, match="applicant_ref_key"):
        RequestSettings(var_dir=tmp_path, environment="production")
    RequestSettings(var_dir=tmp_path, environment="production", applicant_ref_key="k" * 32)


async def test_a_store_that_cannot_be_reached_is_a_503_and_nothing_is_filed(
    database_url: str, tmp_path: Path, s3_endpoint: str
) -> None:
    """S3 cut off: filing and download answer 503 with Retry-After; no application is left."""
    bucket = s3server.new_bucket(s3_endpoint)
    host, port = s3_endpoint.removeprefix("http://").split(":")
    proxy = TcpProxy(host, int(port))
    await proxy.start()
    try:
        async with start(
            database_url,
            tmp_path,
            document_store="s3",
            s3_endpoint=f"http://127.0.0.1:{proxy.port}",
            s3_bucket=bucket,
            s3_region=s3server.REGION,
            s3_access_key=s3server.ACCESS_KEY,
            s3_secret_key=s3server.SECRET_KEY,
        ) as service:
            app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
            await proxy.cut()
            refused = await service.submit(People.citizen_a, building(), BUILDING_FILES)
            assert refused.status_code == 503, refused.text
            assert refused.json()["code"] == "document_store_unavailable"
            assert refused.headers["retry-after"].isdigit()
            assert await service.count("applications") == 1
            document = app["documents"][0]
            download = await service.client.get(document["href"], headers=bearer(People.clerk_hq))
            assert (download.status_code, download.json()["code"]) == (
                503,
                "document_store_unavailable",
            )
    finally:
        await proxy.close()
