"""The embedded platform (demo data seeded) served by uvicorn in its own process, on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def platform_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded platform (demo data seeded) on a free loopback port."""
    var_dir = tmp_path_factory.mktemp("platform") / "var"
    port = free_port()
    log = (var_dir.parent / "platform.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mahaliyat_deploy",
            "run",
            "--port",
            str(port),
            "--var-dir",
            str(var_dir),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MAHALIYAT_ENVIRONMENT": "test"},
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"the platform exited: {(var_dir.parent / 'platform.log').read_text()[-3000:]}"
                )
            try:
                if httpx.get(f"{url}/api/v1/catalog/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the platform did not start: {(var_dir.parent / 'platform.log').read_text()[-3000:]}"
                )
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
