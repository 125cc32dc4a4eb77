"""System-test fixtures: the real Traefik in front of real processes on loopback.

Session-scoped, so Traefik and the upstreams start once per run:

* ``echo_upstreams`` — one stand-in process per service (``echo_upstream.py``) that
  answers with the path, headers and body size it received and its service name;
* ``service_upstreams`` — each real service in its own uvicorn
  (``<package>.app:create_app``, ``MAHALIYAT_ENVIRONMENT=test``, its own SQLite file,
  ``MAHALIYAT_BUS_URL=memory://``, demo data seeded), reaching its peers through
  ``services_gateway`` (``MAHALIYAT_PUBLIC_BASE_URL``);
* ``gateway_factory`` — ``gateway_factory(upstreams, options=None)`` starts another
  Traefik (rendered from the route table, on free ports) in front of any upstreams or
  backend URLs, e.g. with tighter limits; stopped at the end of the session;
* ``echo_gateway`` / ``services_gateway`` — Traefik with the default configuration in
  front of the echo upstreams / the real services.

A ``Gateway`` has ``url``, ``internal_url`` (``/ping``, ``/metrics``), ``client(source=
"127.0.0.N")`` (an httpx client connecting from that loopback address, so a test gets
its own rate-limit bucket) and ``access_log_entries()``.

Nothing here skips: if Traefik or an upstream cannot start, the fixture fails with
the process's log. When a system test fails, the logs of the running processes are
attached to its report.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import pytest

from mahaliyat_gateway.traefik import GatewayOptions

from .harness import (
    RUNNING,
    Gateway,
    StartupError,
    Upstream,
    free_port,
    start_gateway,
    start_upstreams,
    stop_all,
)

GatewayFactory = Callable[..., Gateway]

_sources = itertools.count(2)


def _fail(exc: StartupError) -> NoReturn:
    pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def system_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("system")


@pytest.fixture(scope="session")
def echo_upstreams(system_dir: Path) -> Iterator[dict[str, Upstream]]:
    try:
        upstreams = start_upstreams("echo", system_dir / "echo")
    except StartupError as exc:
        _fail(exc)
    yield upstreams
    stop_all(upstreams)


@pytest.fixture(scope="session")
def services_gateway_port() -> int:
    """Where ``services_gateway`` listens, known before the services start: they reach
    each other through it (``public_base_url``), as in a distributed deployment."""
    return free_port()


@pytest.fixture(scope="session")
def service_upstreams(
    system_dir: Path, services_gateway_port: int
) -> Iterator[dict[str, Upstream]]:
    env = {
        "MAHALIYAT_SEED_DEMO_DATA": "true",
        "MAHALIYAT_PUBLIC_BASE_URL": f"http://127.0.0.1:{services_gateway_port}",
    }
    try:
        upstreams = start_upstreams("service", system_dir / "services", extra_env=env)
    except StartupError as exc:
        _fail(exc)
    yield upstreams
    stop_all(upstreams)


@pytest.fixture(scope="session")
def gateway_factory(system_dir: Path) -> Iterator[GatewayFactory]:
    started: list[Gateway] = []

    def factory(
        upstreams: Mapping[str, Upstream | str | Sequence[str]],
        options: GatewayOptions | None = None,
        **kwargs: Any,
    ) -> Gateway:
        try:
            gateway = start_gateway(upstreams, system_dir / "gateways", options, **kwargs)
        except StartupError as exc:
            _fail(exc)
        started.append(gateway)
        return gateway

    yield factory
    for gateway in started:
        gateway.stop()


@pytest.fixture(scope="session")
def echo_gateway(gateway_factory: GatewayFactory, echo_upstreams: dict[str, Upstream]) -> Gateway:
    return gateway_factory(echo_upstreams)


@pytest.fixture(scope="session")
def services_gateway(
    gateway_factory: GatewayFactory,
    service_upstreams: dict[str, Upstream],
    services_gateway_port: int,
) -> Gateway:
    return gateway_factory(service_upstreams, port=services_gateway_port)


@pytest.fixture
def client_source() -> str:
    """A loopback address no other test in this run connects from."""
    n = next(_sources)
    return f"127.0.{n // 250}.{n % 250 + 2}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed and item.get_closest_marker("system") and RUNNING:
        for proc in list(RUNNING):
            if proc.name.startswith("traefik") or not proc.alive():
                report.sections.append((f"process {proc.name}", proc.describe()))
    return report
