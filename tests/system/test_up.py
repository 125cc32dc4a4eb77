"""`make up` for real: a uvicorn per service on PostgreSQL and RabbitMQ, Traefik in front."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from mahaliyat_gateway.routes import ROUTES
from tests.conftest import POSTGRES_ADMIN_URL, RABBITMQ_URL, require

# Fourteen uvicorns migrating their own databases and Traefik: generous on a busy machine.
pytestmark = [pytest.mark.system, pytest.mark.timeout(420)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def drop_databases(prefix: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        for service in ROUTES:
            await admin.execute(f'DROP DATABASE IF EXISTS "{prefix}{service.name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="module")
def distributed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    asyncio.run(require("postgresql"))
    asyncio.run(require("rabbitmq"))
    var_dir = tmp_path_factory.mktemp("up")
    prefix = f"mtest_up_{uuid.uuid4().hex[:8]}_"
    address = f"127.0.0.1:{free_port()}"
    offset = 1000 + os.getpid() % 500
    command = [
        sys.executable, "-m", "mahaliyat_deploy", "up",
        "--postgres-url", POSTGRES_ADMIN_URL, "--amqp-url", RABBITMQ_URL,
        "--address", address, "--internal-address", f"127.0.0.1:{free_port()}",
        "--var-dir", str(var_dir), "--database-prefix", prefix,
        "--port-offset", str(offset), "--replicas", "2",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 360
        url = f"http://{address}"
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"`up` exited: {output[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if all(
                    httpx.get(f"{url}{s.api_prefix}/readyz", timeout=2).status_code == 200
                    for s in ROUTES
                ):
                    break
            if time.monotonic() > deadline:
                logs = "\n".join(p.read_text()[-500:] for p in (var_dir / "logs").glob("*.log"))
                pytest.fail(f"`up` did not become ready:\n{logs}")
            time.sleep(0.5)
        yield url, offset
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        asyncio.run(drop_databases(prefix))


def test_every_service_is_ready_through_traefik(distributed: tuple[str, int]) -> None:
    url, _ = distributed
    for service in ROUTES:
        ready = httpx.get(f"{url}{service.api_prefix}/readyz", timeout=5)
        assert ready.status_code == 200, (service.name, ready.text)
        assert ready.json()["checks"] == {"database": "ok", "bus": "ok"}


def test_each_service_has_its_own_postgresql_database(distributed: tuple[str, int]) -> None:
    import asyncpg

    async def names() -> set[str]:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            rows = await admin.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE 'mtest_up_%'"
            )
        finally:
            await admin.close()
        return {r["datname"] for r in rows}

    found = asyncio.run(names())
    for service in ROUTES:
        assert any(name.endswith(f"_{service.name}") for name in found), service.name


def test_every_replica_runs_on_its_own_port(distributed: tuple[str, int]) -> None:
    _, offset = distributed
    for service in ROUTES:
        for replica in range(2):
            port = service.port + offset + 20 * replica
            health = httpx.get(f"http://127.0.0.1:{port}{service.api_prefix}/healthz", timeout=5)
            assert health.json() == {"status": "ok", "service": service.name}
