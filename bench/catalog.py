"""Catalogue reads next to a bare FastAPI hello endpoint, in the same run on the same machine.

Two uvicorn processes, one worker each, started the same way (``--no-access-log``,
log level warning): catalog-service (SQLite under a temporary directory, reference
and demo data seeded; reads are served from its in-memory snapshot, so the
database backend does not enter the measurement) and :data:`hello_app`, a FastAPI
app with one route returning a constant dict and no middleware. wrk loads each
endpoint in turn with the same threads, connections and duration, after a warm-up
run. The catalogue pays for what the hello app does not have: the kernel's
request middleware (request id, language, Prometheus metrics), query validation,
the snapshot freshness check and the ETag/Cache-Control headers. Rounds interleave
the endpoints and each row reports the median round, so a busy spell on a shared
machine does not land on one endpoint only.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from fastapi import FastAPI

from bench.report import header

DURATION = os.environ.get("BENCH_DURATION", "8s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
LIST = "/api/v1/catalog/services?limit=20"
DETAIL = "/api/v1/catalog/services/BLD-002?governorate=21&on=2026-11-24"
SEARCH = "/api/v1/catalog/search?q=%D8%B1%D8%AE%D8%B5%D9%87%20%D8%A8%D9%86%D8%A7"  # رخصه بنا
HELLO = "/hello"
ROOT = str(Path(__file__).resolve().parent.parent)

hello_app = FastAPI()


@hello_app.get(HELLO)
async def hello() -> dict[str, str]:
    return {"hello": "world"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def wrk(url: str, *headers: str) -> tuple[float, float, float]:
    """Requests/s, p50 ms, p99 ms; refuses a run with any error answer."""
    extra = [arg for h in headers for arg in ("-H", h)]
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", *extra, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"{url} answered errors under load:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rate, percentile("50"), percentile("99")


def _median_run(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """The run with the median throughput (its latencies with it)."""
    return sorted(runs)[len(runs) // 2]


def uvicorn(
    target: str, port: int, env: dict[str, str], factory: bool = False
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", *(["--factory"] if factory else []), target,
               "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def run() -> str:
    if not shutil.which("wrk"):
        raise SystemExit("bench/catalog needs wrk: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="bench-catalog-"))
    catalog_port, hello_port = free_port(), free_port()
    env = {
        **os.environ,
        "MAHALIYAT_ENVIRONMENT": "test",
        "MAHALIYAT_CATALOG_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/catalog.db",
        "MAHALIYAT_VAR_DIR": str(workdir),
        "MAHALIYAT_SEED_DEMO_DATA": "true",
        "MAHALIYAT_LOG_LEVEL": "WARNING",
        "MAHALIYAT_BUS_URL": "memory://",
        "PYTHONPATH": ROOT,
    }
    processes = [
        uvicorn("catalog_service.app:create_app", catalog_port, env, factory=True),
        uvicorn("bench.catalog:hello_app", hello_port, env),
    ]
    catalog, hello_base = f"http://127.0.0.1:{catalog_port}", f"http://127.0.0.1:{hello_port}"
    try:
        wait_for(f"{catalog}/api/v1/catalog/readyz")
        wait_for(f"{hello_base}{HELLO}")
        async with httpx.AsyncClient(timeout=5) as client:
            etag = (await client.get(catalog + LIST)).headers["etag"]
        cases = [
            ("bare FastAPI `GET /hello`", hello_base + HELLO, ()),
            (f"`GET {LIST}`", catalog + LIST, ()),
            (
                f"`GET {LIST}` with `If-None-Match` (304)",
                catalog + LIST,
                (f"If-None-Match: {etag}",),
            ),
            (f"`GET {DETAIL}` (fees resolved)", catalog + DETAIL, ()),
            ("`GET /api/v1/catalog/search?q=رخصه بنا`", catalog + SEARCH, ()),
        ]
        for _, url, headers in cases:
            wrk(url, *headers)  # warm-up: snapshot built, answers rendered, code paths hot
        # Rounds interleave the endpoints, so a busy spell on the machine hits them alike.
        runs: dict[str, list[tuple[float, float, float]]] = {label: [] for label, _, _ in cases}
        for _ in range(ROUNDS):
            for label, url, headers in cases:
                runs[label].append(wrk(url, *headers))
        results = [(label, _median_run(found)) for label, found in runs.items()]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)
        shutil.rmtree(workdir, ignore_errors=True)
    hello_rate = results[0][1][0]
    rows = "\n".join(
        f"| {label} | {rate:,.0f} req/s | {p50:.1f} ms | {p99:.1f} ms | {rate / hello_rate:.2f}× |"
        for label, (rate, p50, p99) in results
    )
    list_ratio = results[1][1][0] / hello_rate
    return f"""## catalog — catalogue reads vs a bare FastAPI hello (`bench/catalog.py`)

{header()}

One uvicorn worker per app (uvloop, httptools), `--no-access-log`, log level warning;
wrk with 2 threads and {CONNECTIONS} connections for {DURATION} per measurement, each
endpoint warmed first, then {ROUNDS} rounds over all endpoints in turn; each row is the
round with the median throughput. All on the same machine: wrk competes with the server
for the CPU in every row alike.
catalog-service answers from its in-memory snapshot (184 services, 398 centres), with
its full middleware, validation, ETag and Cache-Control; the hello app has none of it.

| endpoint | throughput | p50 | p99 | ÷ hello |
|---|---|---|---|---|
{rows}

Service list ÷ hello: **{list_ratio:.2f}×** (aim ≥ 0.5×).
"""
