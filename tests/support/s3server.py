"""An S3-compatible server the tests start themselves: moto's, an independent implementation.

``MAHALIYAT_TEST_S3_URL`` points the tests at a server already running instead; it must
accept unsigned bucket creation, as ``moto_server`` does. With ``CI=true`` a server that
cannot be started fails the tests (tests/conftest.py ``unavailable``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import unavailable

ACCESS_KEY = "mahaliyat-test"
SECRET_KEY = "mahaliyat-test-secret"
REGION = "eu-central-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _moto_server() -> str:
    beside = Path(sys.executable).parent / "moto_server"
    found = str(beside) if beside.is_file() else shutil.which("moto_server")
    if found is None:
        raise FileNotFoundError("moto_server (the dev dependency moto[s3] with flask)")
    return found


def _answers(endpoint: str) -> bool:
    try:
        return httpx.get(endpoint + "/", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def running(log: Path) -> Iterator[str]:
    """The endpoint (``http://127.0.0.1:PORT``) of a running S3 server."""
    given = os.environ.get("MAHALIYAT_TEST_S3_URL")
    if given:
        if not _answers(given.rstrip("/")):
            unavailable("s3", ConnectionError(f"nothing answers at {given}"))
        yield given.rstrip("/")
        return
    try:
        command = _moto_server()
    except FileNotFoundError as error:
        unavailable("s3", error)
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [command, "-H", "127.0.0.1", "-p", str(port)], stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + 60
        while not _answers(endpoint):
            if process.poll() is not None or time.monotonic() > deadline:
                unavailable(
                    "s3", RuntimeError(f"moto_server did not start: {log.read_text()[-2000:]}")
                )
            time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def new_bucket(endpoint: str) -> str:
    """An empty bucket of its own for one test (moto keeps buckets in memory)."""
    name = f"mahaliyat-{uuid.uuid4().hex[:20]}"
    response = httpx.put(f"{endpoint}/{name}", timeout=10)
    assert response.status_code == 200, response.text
    return name


# moto does not check signatures, but a request without any is anonymous and meets the
# object's (private) ACL: the tests' own plain-HTTP requests carry this unsigned stand-in.
_AS_THE_OWNER = {
    "Authorization": f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20260101/{REGION}/s3/aws4_request,"
    " SignedHeaders=host, Signature=0"
}


def raw_object(endpoint: str, bucket: str, key: str) -> httpx.Response:
    """An object fetched with plain HTTP, past the adapter."""
    return httpx.get(f"{endpoint}/{bucket}/{key}", headers=_AS_THE_OWNER, timeout=10)


def raw_delete(endpoint: str, bucket: str, key: str) -> None:
    response = httpx.delete(f"{endpoint}/{bucket}/{key}", headers=_AS_THE_OWNER, timeout=10)
    assert response.status_code == 204, response.text
