"""Request service: submissions/s (with a small document) and status reads/s, next to an outbox baseline.

The service runs in its own uvicorn process on PostgreSQL with the outbox and
relay running (in-process bus), as one replica would. Clients run in this
process over HTTP with a fixed concurrency. The baseline, in the same run and
on the same PostgreSQL server, is the write-only outbox: one event recorded and
committed per transaction at the same concurrency, the ceiling of any
event-producing write.

The catalogue is an in-memory reader of contract-shaped documents (what the
HTTP reader serves from its cache once warm), so catalog-service is not measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519
from fastapi import FastAPI

from bench.gateway import start_traefik, traefik_version
from bench.report import header, percentile
from mahaliyat.db import Database
from mahaliyat.events import MESSAGING_METADATA, record
from mahaliyat.events.envelope import CloudEvent

POSTGRES = os.environ.get(
    "MAHALIYAT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "3000"))
READS = int(os.environ.get("BENCH_READS", "10000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))  # uvicorn processes: one per core
SEAL_INTERVAL = 0.5  # audit_seal_interval_seconds, the service's default
ISSUER, AUDIENCE, KID = "mahaliyat-identity", "mahaliyat", "bench"
PREFIX = "/api/v1/requests"
ROOT = str(Path(__file__).resolve().parent.parent)
# Filings spread over the 27 governorates, as in the country (each has its own tracking sequence).
GOVERNORATES = os.environ.get(
    "BENCH_GOVERNORATES",
    "01,02,03,04,11,12,13,14,15,16,17,18,19,21,22,23,24,25,26,27,28,29,31,32,33,34,35",
).split(",")
# A small, real-looking PDF (about 2 KB).
DOCUMENT = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 55 + b"%%EOF\n"

SERVICE = {
    "code": "CIV-001",
    "name": {"ar": "شهادة بيانات عقار", "en": "Property data certificate"},
    "department": {"code": "services", "name": {"ar": "الخدمات", "en": "Services"}},
    "active": True,
    "online": True,
    "sla_days": 3,
    "channels": ["centre", "mobile_centre", "portal", "app", "partner_api"],
    "centre_kinds": ["fixed", "governorate_hq", "mobile"],
    "documents": [
        {
            "code": "national_id_copy",
            "name": {"ar": "صورة البطاقة", "en": "ID copy"},
            "required": True,
        }
    ],
    "fields": [
        {
            "name": "purpose",
            "kind": "text",
            "label": {"ar": "الغرض", "en": "Purpose"},
            "required": True,
            "min_value": None,
            "max_value": None,
            "max_length": 200,
            "options": [],
        },
    ],
    "fees": {
        "governorate": "21",
        "on": "2026-11-24",
        "source": "national",
        "effective_from": "2026-01-01",
        "items": [
            {
                "code": "service",
                "name": {"ar": "رسم", "en": "Fee"},
                "rule": "fixed",
                "amount_piasters": 2500,
                "rate_piasters": 0,
                "inputs": [],
            }
        ],
    },
}


class BenchCatalogue:
    """The ``CatalogueReader`` interface over one contract-shaped service document.

    Documents are parsed once and the parsed objects served, as ``HttpCatalogue``
    serves them from its cache once warm.
    """

    def __init__(self) -> None:
        from request_service.domain.catalogue import parse_service

        self._service = parse_service(SERVICE)
        self._quotes: dict[tuple[str, str, date], Any] = {}

    async def service(self, code: str, governorate: str, on: date) -> Any:
        return self._service if code == SERVICE["code"] else None

    async def centre(self, code: str) -> Any:
        return None

    async def quote(self, code: str, governorate: str, on: date, inputs: Mapping[str, Any]) -> Any:
        from request_service.domain.catalogue import parse_quote

        key = (code, governorate, on)
        if key not in self._quotes:
            self._quotes[key] = parse_quote(
                {
                    "service_code": code,
                    "governorate": governorate,
                    "on": on.isoformat(),
                    "lines": [
                        {
                            "item_code": "service",
                            "name": {"ar": "رسم", "en": "Fee"},
                            "quantity": 1,
                            "amount_piasters": 2500,
                        }
                    ],
                    "total_piasters": 2500,
                }
            )
        return self._quotes[key]

    def invalidate(self, service_code: str | None = None) -> None:
        return None

    async def close(self) -> None:
        return None

    def invalidate_centre(self, centre_code: str | None = None) -> None:
        return None


def bench_app() -> FastAPI:
    """The uvicorn factory: the real request service with the bench catalogue."""
    from request_service.app import create_app
    from request_service.settings import RequestSettings

    settings = RequestSettings(
        database_url=os.environ["BENCH_DATABASE_URL"],
        var_dir=Path(os.environ["BENCH_VAR_DIR"]),
        jwt_public_keys_file=Path(os.environ["BENCH_JWKS"]),
        bus_url="memory://bench",
        environment="test",
        escalation_enabled=False,
        status_inquiry_per_minute=10_000_000,
        log_level="WARNING",
        database_pool_size=20,
        audit_seal_interval_seconds=SEAL_INTERVAL,
    )
    return create_app(settings, catalogue=BenchCatalogue())


def _token(key: ed25519.Ed25519PrivateKey, sub: str) -> str:
    now = int(time.time())
    claims = {
        "sub": sub,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 3600,
        "kind": "citizen",
        "grants": [{"role": "citizen", "jurisdiction": "EG"}],
        # as identity-service signs them: the verified national ID and phone
        "national_id": "28503122101234",
        "phone_number": "+201012345678",
    }
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": KID})


class Connection:
    """A minimal keep-alive HTTP/1.1 client: the load generator must cost less CPU than the server.

    httpx spends more CPU per request than the service does on a status read, and
    client and server share the same two cores here.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        first = b""
        for _attempt in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            assert self.reader is not None
            self.writer.write(request)
            first = await self.reader.readline()
            if first:
                break
            # The server closed a keep-alive connection that sat idle (uvicorn: after 5 s)
            # before reading this request: open another, as any HTTP client does.
            with contextlib.suppress(OSError):
                await self.close()
            self.reader = self.writer = None
        reader = self.reader
        assert reader is not None, "the server closed two connections in a row"
        status = int(first.split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


def multipart(
    fields: dict[str, str], files: list[tuple[str, str, bytes, str]]
) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value.encode()
        + b"\r\n"
        for name, value in fields.items()
    ]
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: {media_type}\r\n\r\n".encode()
        + content
        + b"\r\n"
        for name, filename, content, media_type in files
    ]
    return f"multipart/form-data; boundary={boundary}", b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def _load(
    count: int, call: Callable[[int, int], Awaitable[None]], concurrency: int = CONCURRENCY
) -> tuple[float, list[float]]:
    """Run ``call(worker, i)`` for i < count on ``concurrency`` workers; (per second, latencies)."""
    latencies: list[float] = []
    next_index = 0

    async def worker(number: int) -> None:
        nonlocal next_index
        while next_index < count:
            i = next_index
            next_index += 1
            started = time.perf_counter()
            await call(number, i)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return count / (time.perf_counter() - started), latencies


async def outbox_baseline(url: str) -> tuple[float, list[float]]:
    database = Database(url, pool_size=CONCURRENCY)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(MESSAGING_METADATA.create_all)

        async def write(_worker: int, i: int) -> None:
            async with database.unit_of_work() as uow:
                await record(
                    uow.session,
                    CloudEvent(source="/bench", type="bench.request.written", data={"n": i}),
                )

        await _load(200, write)  # warm the pool
        return await _load(SUBMISSIONS, write)
    finally:
        await database.dispose()


async def _server(env: dict[str, str], port: int) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "bench.requests:bench_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--workers",
        str(WORKERS),
        env={**os.environ, **env},
        cwd=ROOT,
    )
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(f"http://127.0.0.1:{port}{PREFIX}/readyz")).status_code == 200:
                    return process
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    process.terminate()
    raise RuntimeError("the request service did not start")


async def run() -> str:
    names = [f"mbench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    admin = await asyncpg.connect(POSTGRES)
    for name in names:
        await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    base = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    service_url, baseline_url = (f"{base}/{name}" for name in names)
    key = ed25519.Ed25519PrivateKey.generate()
    jwk = json.loads(jwt.algorithms.get_default_algorithms()["EdDSA"].to_jwk(key.public_key()))
    jwk.update(kid=KID, use="sig", alg="EdDSA")
    process = None
    gateway_processes: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            jwks = Path(tmp) / "jwks.json"
            jwks.write_text(json.dumps({"keys": [jwk]}))
            port = _free_port()
            process = await _server(
                {"BENCH_DATABASE_URL": service_url, "BENCH_VAR_DIR": tmp, "BENCH_JWKS": str(jwks)},
                port,
            )
            gateway_url = start_traefik(
                {"request": [f"http://127.0.0.1:{port}"]},
                Path(tmp) / "traefik",
                Path(tmp) / "access.log",
                gateway_processes,
            )
            gateway_port = int(gateway_url.rsplit(":", 1)[1])
            tokens = [_token(key, f"bench-citizen-{i}") for i in range(50)]
            numbers: list[str] = []
            direct_connections = [Connection(port) for _ in range(2 * CONCURRENCY)]
            gateway_connections = [Connection(gateway_port) for _ in range(2 * CONCURRENCY)]
            connections = direct_connections

            governorates = GOVERNORATES

            async def submit(worker: int, i: int) -> None:
                body = {
                    "service_code": "CIV-001",
                    "governorate": governorates[i % len(governorates)],
                    "applicant": {"national_id": "28503122101234", "phone": "01012345678"},
                    "form": {"purpose": f"bench {i}"},
                }
                content_type, payload = multipart(
                    {"application": json.dumps(body)},
                    [("national_id_copy", "id.pdf", DOCUMENT + str(i).encode(), "application/pdf")],
                )
                status, answer = await connections[worker].request(
                    "POST",
                    f"{PREFIX}/applications",
                    {
                        "Authorization": f"Bearer {tokens[i % len(tokens)]}",
                        "Content-Type": content_type,
                    },
                    payload,
                )
                if status != 201:
                    raise RuntimeError(f"submission failed: {status} {answer[:300]!r}")
                numbers.append(json.loads(answer)["tracking_number"])

            async def status(worker: int, i: int) -> None:
                payload = json.dumps(
                    {"tracking_number": numbers[i % len(numbers)], "national_id_last4": "1234"}
                ).encode()
                code, answer = await connections[worker].request(
                    "POST", f"{PREFIX}/status", {"Content-Type": "application/json"}, payload
                )
                if code != 200:
                    raise RuntimeError(f"status failed: {code} {answer[:300]!r}")

            try:
                await _load(100, submit)  # warm-up: connections, caches, first pages
                connections = gateway_connections
                await _load(100, submit)
                # Direct and through Traefik alternately, so both see the same database.
                connections = direct_connections
                submitted, submit_latencies = await _load(SUBMISSIONS, submit)
                connections = gateway_connections
                via_gateway, via_gateway_latencies = await _load(SUBMISSIONS, submit)
                connections = direct_connections
                crowded, crowded_latencies = await _load(SUBMISSIONS, submit, 2 * CONCURRENCY)
                governorates = ["21"]  # everyone files in Giza: one governorate's counters
                one_place, one_place_latencies = await _load(SUBMISSIONS, submit, 2 * CONCURRENCY)
                unsealed, seal_wait = await _until_sealed(service_url)
                await _load(200, status)
                read, read_latencies = await _load(READS, status)
                connections = gateway_connections
                await _load(200, status)
                read_via_gateway, read_via_gateway_latencies = await _load(READS, status)
            finally:
                for connection in direct_connections + gateway_connections:
                    await connection.close()
            baseline, baseline_latencies = await outbox_baseline(baseline_url)
            pending = await _pending(service_url)
            chain = await _verify_chain(service_url)
    finally:
        for gateway_process in gateway_processes:
            gateway_process.terminate()
            gateway_process.wait(timeout=15)
        if process is not None and process.returncode is None:
            process.terminate()
            await process.wait()
        admin = await asyncpg.connect(POSTGRES)
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    def ms(values: list[float], p: float) -> str:
        return f"{percentile(values, p) * 1000:.1f} ms"

    return f"""## requests — submissions and status reads (`bench/requests.py`)

{header()}

{WORKERS} uvicorn worker process(es) running the request service on PostgreSQL (outbox and relay on, in-process bus,
local document store, catalogue in memory, audit sealer on), {CONCURRENCY} keep-alive HTTP/1.1 connections from one
client process on the same machine (client and server share the cores), directly and through Traefik {traefik_version()}
(the production configuration and middleware chain, per-IP rate limit raised out of the way) in the same run. A submission is a multipart upload with a
{len(DOCUMENT) / 1024:.1f} KB PDF, filed by a citizen in one of {len(GOVERNORATES)} governorates: catalogue checks, form and document checks, tracking number, document
stored, application, timeline, audit entry and `request.submitted` in one transaction. A status
read is the public inquiry (`POST /status`, tracking number + last four ID digits). The baseline is the
write-only outbox at the same concurrency: one event per committed transaction, nothing else.

| measure | result | p50 | p99 | aim |
|---|---|---|---|---|
| write-only outbox baseline | {baseline:,.0f} tx/s | {ms(baseline_latencies, 50)} | {ms(baseline_latencies, 99)} | (ceiling) |
| submissions ({SUBMISSIONS:,}) | {submitted:,.0f} /s | {ms(submit_latencies, 50)} | {ms(submit_latencies, 99)} | ≥ 300 /s |
| submissions through Traefik | {via_gateway:,.0f} /s | {ms(via_gateway_latencies, 50)} | {ms(via_gateway_latencies, 99)} | ≥ 300 /s |
| submissions through Traefik ÷ direct | {via_gateway / submitted:.2f}× | | | ≥ 0.6× |
| submissions ÷ baseline | {submitted / baseline:.2f}× | | | |
| submissions at {2 * CONCURRENCY} connections | {crowded:,.0f} /s | {ms(crowded_latencies, 50)} | {ms(crowded_latencies, 99)} | |
| submissions at {2 * CONCURRENCY} connections, all in one governorate | {one_place:,.0f} /s | {ms(one_place_latencies, 50)} | {ms(one_place_latencies, 99)} | |
| status reads ({READS:,}) | {read:,.0f} /s | {ms(read_latencies, 50)} | {ms(read_latencies, 99)} | |
| status reads through Traefik | {read_via_gateway:,.0f} /s | {ms(read_via_gateway_latencies, 50)} | {ms(read_via_gateway_latencies, 99)} | ≥ 1,500 /s |
| status reads through Traefik ÷ direct | {read_via_gateway / read:.2f}× | | | ≥ 0.6× |

Outbox rows still unpublished when the run ended: {pending}. Audit entries not sealed yet when the
last submission was answered: {unsealed:,}, all sealed {seal_wait:.1f} s later; the chain then
verified: {chain}.

Audit entries are written unsealed in the filing transaction and linked into the hash chain by
the background sealer (every {SEAL_INTERVAL} s, in batches), so filings no longer queue on one
chain head. Tracking numbers come from 64 counter shards per governorate and year, so filings in
the same governorate queue only when they draw the same shard: compare the last two submission rows.
"""


async def _until_sealed(url: str, give_up_after: float = 60.0) -> tuple[int, float]:
    """(audit entries unsealed now, seconds until the sealer had sealed them all)."""
    from sqlalchemy import func, select

    from request_service.models import AuditEntry

    database = Database(url)
    try:
        started = time.perf_counter()
        first: int | None = None
        while time.perf_counter() - started < give_up_after:
            async with database.read() as session:
                count = int(
                    await session.scalar(
                        select(func.count()).select_from(AuditEntry).where(AuditEntry.seq.is_(None))
                    )
                    or 0
                )
            first = count if first is None else first
            if count == 0:
                break
            await asyncio.sleep(0.05)
        return first or 0, time.perf_counter() - started
    finally:
        await database.dispose()


async def _verify_chain(url: str) -> str:
    from datetime import timedelta

    from mahaliyat.db import utcnow
    from request_service.services import audit

    database = Database(url)
    try:
        async with database.read() as session:
            report = await audit.verify(session, utcnow(), timedelta(minutes=5))
        if report.ok:
            return f"ok, {report.checked:,} entries"
        return f"NOT ok: {report}"
    finally:
        await database.dispose()


async def _pending(url: str) -> int:
    database = Database(url)
    try:
        async with database.read() as session:
            from sqlalchemy import func, select

            from mahaliyat.events import outbox

            count = await session.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
        return int(count or 0)
    finally:
        await database.dispose()


if __name__ == "__main__":
    print(asyncio.run(run()))
