"""Document stores: local files (content-addressed, no path tricks) and S3 with SigV4."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from request_service.storage import DocumentMissing
from request_service.storage.local import LocalDocumentStore
from request_service.storage.s3 import S3DocumentStore
from request_service.storage.sigv4 import EMPTY_SHA256, authorization


def staged(tmp_path: Path, content: bytes, name: str = "upload") -> tuple[str, Path]:
    path = tmp_path / name
    path.write_bytes(content)
    return hashlib.sha256(content).hexdigest(), path


async def read_all(chunks: object) -> bytes:
    data = b""
    async for chunk in chunks:  # type: ignore[attr-defined]
        data += chunk
    return data


async def test_local_store_is_content_addressed(tmp_path: Path) -> None:
    store = LocalDocumentStore(tmp_path / "documents")
    digest, path = staged(tmp_path, b"%PDF-1.7 same bytes")
    assert await store.put(digest, path) is True
    assert not path.exists()
    again, path2 = staged(tmp_path, b"%PDF-1.7 same bytes", "second")
    assert again == digest
    assert await store.put(again, path2) is False
    assert not path2.exists()
    assert (
        store.path_of(digest)
        == (tmp_path / "documents" / digest[:2] / digest[2:4] / digest).resolve()
    )
    assert await read_all(await store.read(digest)) == b"%PDF-1.7 same bytes"
    await store.delete(digest)
    with pytest.raises(DocumentMissing):
        await store.read(digest)


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "a" * 63, "A" * 64, "..%2f" * 13, "g" * 64]
)
async def test_only_a_digest_names_a_file(tmp_path: Path, name: str) -> None:
    store = LocalDocumentStore(tmp_path / "documents")
    with pytest.raises(ValueError, match="SHA-256"):
        store.path_of(name)
    with pytest.raises(ValueError, match="SHA-256"):
        await store.read(name)


def test_sigv4_matches_the_aws_documented_example() -> None:
    # "GET Object" example of the AWS S3 SigV4 documentation (header-based auth).
    header = authorization(
        method="GET",
        path="/test.txt",
        query={},
        headers={
            "Host": "examplebucket.s3.amazonaws.com",
            "Range": "bytes=0-9",
            "x-amz-content-sha256": EMPTY_SHA256,
            "x-amz-date": "20130524T000000Z",
        },
        payload_sha256=EMPTY_SHA256,
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
        moment=datetime(2013, 5, 24, tzinfo=UTC),
    )
    assert header == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


class Bucket:
    """An S3-compatible endpoint in memory that checks every request's signature."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.methods: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.methods.append(request.method)
        signed = {k: request.headers[k] for k in ("host", "x-amz-content-sha256", "x-amz-date")}
        expected = authorization(
            method=request.method,
            path=request.url.raw_path.decode(),
            query={},
            headers=signed,
            payload_sha256=request.headers["x-amz-content-sha256"],
            access_key="minio",
            secret_key="minio-secret-key",
            region="eu-central-1",
            moment=datetime.strptime(request.headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(
                tzinfo=UTC
            ),
        )
        if request.headers.get("authorization") != expected:
            return httpx.Response(403, text="SignatureDoesNotMatch")
        key = request.url.path
        if request.method == "PUT":
            body = request.content
            if hashlib.sha256(body).hexdigest() != request.headers["x-amz-content-sha256"]:
                return httpx.Response(400, text="XAmzContentSHA256Mismatch")
            self.objects[key] = body
            return httpx.Response(200)
        if key not in self.objects:
            return httpx.Response(404)
        if request.method == "HEAD":
            return httpx.Response(200)
        if request.method == "DELETE":
            del self.objects[key]
            return httpx.Response(204)
        return httpx.Response(200, content=self.objects[key])


async def test_s3_store_round_trip(tmp_path: Path) -> None:
    bucket = Bucket()
    store = S3DocumentStore(
        httpx.AsyncClient(transport=httpx.MockTransport(bucket)),
        endpoint="http://minio:9000",
        bucket="mahaliyat",
        region="eu-central-1",
        access_key="minio",
        secret_key="minio-secret-key",
        prefix="documents/",
    )
    digest, path = staged(tmp_path, b"\x89PNG\r\n\x1a\n pixels")
    assert await store.put(digest, path) is True
    assert f"/mahaliyat/documents/{digest}" in bucket.objects
    assert not path.exists()
    again, path2 = staged(tmp_path, b"\x89PNG\r\n\x1a\n pixels", "again")
    assert await store.put(again, path2) is False
    assert bucket.methods.count("PUT") == 1
    assert await store.exists(digest)
    assert await read_all(await store.read(digest)) == b"\x89PNG\r\n\x1a\n pixels"
    await store.delete(digest)
    with pytest.raises(DocumentMissing):
        await store.read(digest)
    await store.close()


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
