"""The Traefik configuration agrees with the route table, and the committed files are fresh.

Pure: nothing is started. The rules are parsed back (``traefik_rules``) and a router is
chosen for each path the way Traefik chooses one, then compared with
``routes.match`` — the function the embedded dispatcher uses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mahaliyat_gateway import traefik
from mahaliyat_gateway.__main__ import main
from mahaliyat_gateway.middlewares import (
    MW_BODY_LIMIT,
    MW_CIRCUIT_BREAKER,
    MW_COMPRESS,
    MW_CORS,
    MW_RATE_LIMIT,
    MW_RATE_LIMIT_AUTH,
    MW_RETRY,
    MW_SECURITY,
    MW_SECURITY_DOCS,
    MW_STRIP_IDENTITY,
    body_limit_name,
)
from mahaliyat_gateway.options import (
    DEFAULT_CORS_ORIGINS,
    DEFAULT_DYNAMIC_FILE,
    DEFAULT_MAX_BODY_BYTES,
    STRICT_PATHS,
)
from mahaliyat_gateway.routes import ROUTES, Service, by_name, match
from mahaliyat_gateway.traefik import (
    ConfigError,
    GatewayOptions,
    RateLimit,
    dynamic_config,
    render,
    static_config,
)

from .traefik_rules import Request, Router, parse_rule, routers_of, select

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "gateway" / "traefik"

DYNAMIC = dynamic_config()
ROUTERS = routers_of(DYNAMIC)
ALL_PREFIXES = [(s, p) for s in ROUTES for p in s.prefixes]
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _route(path: str, method: str = "GET") -> Router | None:
    return select(ROUTERS, Request(path=path, method=method))


def _sample_paths() -> list[str]:
    paths = {"/", "/api", "/api/v1", "/api/v1/", "/api/v2/catalog", "/favicon.ico", "/x"}
    for service in ROUTES:
        paths |= {service.api_prefix + s for s in ("/healthz", "/readyz", "/openapi.json")}
        paths |= {service.api_prefix + s for s in ("/docs", "/docs/oauth2-redirect", "/redoc")}
        for prefix in service.prefixes:
            for suffix in ("", "/", "/x", "/x/y", "x", "-x", ".json", "s", "%2Fx"):
                paths.add(prefix + suffix)
            paths.add(prefix.rsplit("/", 1)[0] or "/")
    for path in STRICT_PATHS:
        paths |= {path, path + "/", path + "/verify", path + "x"}
    return sorted(paths)


@pytest.mark.parametrize(("service", "prefix"), ALL_PREFIXES, ids=lambda v: getattr(v, "name", v))
def test_every_prefix_routes_to_its_service(service: Service, prefix: str) -> None:
    for path in (prefix, prefix + "/", prefix + "/x", prefix + "/x/y/z"):
        for method in METHODS:
            router = _route(path, method)
            assert router is not None, f"{method} {path} reaches no router"
            assert router.service == service.name, f"{method} {path} -> {router.name}"
            owner = match(path)
            assert owner is not None
            assert router.service == owner.name


@pytest.mark.parametrize(("service", "prefix"), ALL_PREFIXES, ids=lambda v: getattr(v, "name", v))
def test_prefixes_match_on_a_segment_boundary(service: Service, prefix: str) -> None:
    for path in (prefix + "x", prefix + "-x", prefix + ".json", prefix + "s"):
        router = _route(path)
        owner = match(path)
        assert (router.service if router else None) == (owner.name if owner else None), path
        # nothing may route a longer word to the service that owns the shorter one
        if owner is None:
            assert router is None, f"{path} must not reach {service.name}"


def test_contact_is_not_the_catalog() -> None:
    assert _route("/contact") is None
    assert _route("/guidebook") is None
    assert _route("/verifying") is None
    assert _route("/dashboards") is None
    assert _route("/api/v1/catalogue") is None
    router = _route("/c/centre/0101")
    assert router is not None
    assert router.service == "catalog"


@pytest.mark.parametrize("path", _sample_paths())
def test_gateway_and_route_table_agree(path: str) -> None:
    router = _route(path)
    owner = match(path)
    assert (router.service if router else None) == (owner.name if owner else None)


def test_rules_use_only_path_matchers_on_segment_boundaries() -> None:
    for router in ROUTERS:
        for name, args in router.rule.matchers:
            assert name in {"Path", "PathPrefix"}, router.name
            if name == "PathPrefix":
                assert args[0].endswith("/"), f"{router.name}: PathPrefix(`{args[0]}`)"
                assert ("Path", (args[0][:-1],)) in router.rule.matchers, router.name


def test_one_router_per_service_covers_exactly_its_prefixes() -> None:
    for service in ROUTES:
        router = next(r for r in ROUTERS if r.name == service.name)
        assert router.service == service.name
        expected = set()
        for prefix in service.prefixes:
            expected |= {("Path", (prefix,)), ("PathPrefix", (prefix + "/",))}
        assert set(router.rule.matchers) == expected


def test_every_router_is_on_web_and_points_at_a_defined_service_and_middlewares() -> None:
    services = DYNAMIC["http"]["services"]
    middlewares = DYNAMIC["http"]["middlewares"]
    assert set(services) == {s.name for s in ROUTES}
    for router in ROUTERS:
        assert router.entry_points == (traefik.ENTRYPOINT,)
        assert router.service in services
        for mw in router.middlewares:
            assert mw in middlewares, f"{router.name} uses undefined {mw}"
        body_limits = [mw for mw in router.middlewares if mw.startswith(MW_BODY_LIMIT)]
        assert len(body_limits) == 1, f"{router.name} has body limits {body_limits}"
        for required in (
            MW_STRIP_IDENTITY,
            MW_RATE_LIMIT,
            MW_COMPRESS,
            MW_CIRCUIT_BREAKER,
            MW_RETRY,
            MW_CORS,
        ):
            assert required in router.middlewares, f"{router.name} lacks {required}"
        assert router.middlewares[0] in (MW_SECURITY, MW_SECURITY_DOCS)
        assert router.middlewares.index(MW_STRIP_IDENTITY) < router.middlewares.index(MW_RETRY)


@pytest.mark.parametrize("path", STRICT_PATHS)
def test_credential_endpoints_get_the_strict_rate_limit(path: str) -> None:
    for p in (path, path + "/", path + "/verify"):
        for method in ("POST", "GET"):
            router = _route(p, method)
            assert router is not None
            assert router.service == "identity"
            assert MW_RATE_LIMIT_AUTH in router.middlewares
            assert MW_RATE_LIMIT in router.middlewares
    other = _route(path + "x")
    assert other is not None
    assert MW_RATE_LIMIT_AUTH not in other.middlewares
    plain = _route("/api/v1/identity/users")
    assert plain is not None
    assert MW_RATE_LIMIT_AUTH not in plain.middlewares


def _body_limit_of(path: str, method: str = "POST") -> int:
    router = _route(path, method)
    assert router is not None
    (name,) = [mw for mw in router.middlewares if mw.startswith(MW_BODY_LIMIT)]
    limit: int = DYNAMIC["http"]["middlewares"][name]["buffering"]["maxRequestBodyBytes"]
    return limit


def test_document_uploads_get_their_own_body_limit() -> None:
    # request-service refuses more than 40 MiB of documents with a 422 naming the
    # field; the gateway's 413 must sit above that, the rest keep the general limit.
    assert _body_limit_of("/api/v1/requests") > 40 * 1024 * 1024
    assert _body_limit_of("/api/v1/requests/21-26-0004217-9/documents") > 40 * 1024 * 1024
    assert _body_limit_of("/api/v1/catalog/services") == DEFAULT_MAX_BODY_BYTES
    assert _body_limit_of("/api/v1/identity/token") == DEFAULT_MAX_BODY_BYTES
    assert _body_limit_of("/api/v1/requests/docs", "GET") == DEFAULT_MAX_BODY_BYTES
    own = dynamic_config(GatewayOptions(service_body_bytes={"catalog": 1000}))
    limit = own["http"]["middlewares"][body_limit_name("catalog")]["buffering"]
    assert limit["maxRequestBodyBytes"] == 1000
    assert body_limit_name("request") not in own["http"]["middlewares"]


@pytest.mark.parametrize("limits", [{"nobody": 10}, {"catalog": 0}])
def test_service_body_limits_are_checked(limits: dict[str, int]) -> None:
    with pytest.raises(ConfigError):
        dynamic_config(GatewayOptions(service_body_bytes=limits))


def test_docs_pages_get_the_docs_csp_and_stay_with_their_service() -> None:
    for service in ROUTES:
        for page in ("/docs", "/docs/oauth2-redirect", "/redoc"):
            router = _route(service.api_prefix + page)
            assert router is not None
            assert router.service == service.name
            assert router.middlewares[0] == MW_SECURITY_DOCS
        api = _route(service.api_prefix + "/openapi.json")
        assert api is not None
        assert api.middlewares[0] == MW_SECURITY


def test_load_balancers_health_check_each_apps_healthz() -> None:
    services = DYNAMIC["http"]["services"]
    for service in ROUTES:
        lb = services[service.name]["loadBalancer"]
        assert lb["healthCheck"]["path"] == f"{service.api_prefix}/healthz"
        assert lb["servers"] == [{"url": f"http://127.0.0.1:{service.port}"}]


def test_backends_are_parameters() -> None:
    options = GatewayOptions(
        backends={"catalog": ["http://10.0.0.1:80", "http://10.0.0.2:80"]},
    )
    services = dynamic_config(options)["http"]["services"]
    assert services["catalog"]["loadBalancer"]["servers"] == [
        {"url": "http://10.0.0.1:80"},
        {"url": "http://10.0.0.2:80"},
    ]
    assert services["kpi"]["loadBalancer"]["servers"] == [
        {"url": f"http://127.0.0.1:{by_name('kpi').port}"}
    ]
    with pytest.raises(ConfigError, match="unknown"):
        dynamic_config(GatewayOptions(backends={"nope": ["http://x"]}))


def test_identity_headers_are_stripped() -> None:
    removed = DYNAMIC["http"]["middlewares"][MW_STRIP_IDENTITY]["headers"]["customRequestHeaders"]
    for header in (
        "X-Principal",
        "X-User-Id",
        "X-Roles",
        "X-Jurisdiction",
        "X-Forwarded-User",
        "X-Auth-User",
        "X-Auth-Roles",
        "X-Auth-Request-User",
        "X-Auth-Request-Email",
    ):
        assert removed.get(header) == "", header
    assert set(removed.values()) == {""}
    assert static_config()["entryPoints"]["web"]["http"]["aliasHeadersStrategy"] == "delete"


def test_security_headers() -> None:
    mws = DYNAMIC["http"]["middlewares"]
    for name in (MW_SECURITY, MW_SECURITY_DOCS):
        h = mws[name]["headers"]
        assert h["stsSeconds"] >= 31_536_000
        assert h["forceSTSHeader"] is True
        assert h["contentTypeNosniff"] is True
        assert h["frameDeny"] is True
        assert h["referrerPolicy"]
        csp = dict(
            d.strip().split(" ", 1) for d in h["contentSecurityPolicy"].split(";") if d.strip()
        )
        assert csp["frame-ancestors"] == "'none'"
        assert csp["object-src"] == "'none'"
    pages = mws[MW_SECURITY]["headers"]["contentSecurityPolicy"]
    script_src = next(d for d in pages.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src
    assert "unsafe-eval" not in pages


def test_limits_and_resilience_middlewares() -> None:
    mws = DYNAMIC["http"]["middlewares"]
    assert mws[MW_BODY_LIMIT]["buffering"]["maxRequestBodyBytes"] == 12 * 1024 * 1024
    small = dynamic_config(GatewayOptions(max_body_bytes=1000))["http"]["middlewares"]
    assert small[MW_BODY_LIMIT]["buffering"]["maxRequestBodyBytes"] == 1000
    general = mws[MW_RATE_LIMIT]["rateLimit"]
    strict = mws[MW_RATE_LIMIT_AUTH]["rateLimit"]
    assert "sourceCriterion" not in general  # the TCP peer, not a forgeable header
    assert strict["burst"] < general["burst"]
    assert mws[MW_RETRY]["retry"]["retryNonIdempotentMethod"] is False
    assert mws[MW_RETRY]["retry"]["attempts"] >= 2
    assert "NetworkErrorRatio" in mws[MW_CIRCUIT_BREAKER]["circuitBreaker"]["expression"]
    assert "compress" in mws[MW_COMPRESS]
    behind_lb = dynamic_config(GatewayOptions(trusted_proxies=("10.0.0.0/8",)))
    rl = behind_lb["http"]["middlewares"][MW_RATE_LIMIT]["rateLimit"]
    assert rl["sourceCriterion"] == {"ipStrategy": {"excludedIPs": ["10.0.0.0/8"]}}


def test_cors_for_configured_origins_only() -> None:
    cors = DYNAMIC["http"]["middlewares"][MW_CORS]["headers"]
    assert cors["accessControlAllowOriginList"] == list(DEFAULT_CORS_ORIGINS)
    assert "*" not in cors["accessControlAllowOriginList"]
    assert "X-Request-Id" in cors["accessControlExposeHeaders"]
    custom = dynamic_config(GatewayOptions(cors_origins=("https://portal.example",)))
    headers = custom["http"]["middlewares"][MW_CORS]["headers"]
    assert headers["accessControlAllowOriginList"] == ["https://portal.example"]
    none = dynamic_config(GatewayOptions(cors_origins=()))
    assert MW_CORS not in none["http"]["middlewares"]
    assert all(MW_CORS not in r.middlewares for r in routers_of(none))


def test_static_config() -> None:
    options = GatewayOptions(
        address="127.0.0.1:18000",
        internal_address="127.0.0.1:18001",
        dynamic_file="/tmp/x/dynamic.yml",
        access_log_path="/tmp/x/access.log",
    )
    conf = static_config(options)
    eps = conf["entryPoints"]
    assert eps["web"]["address"] == "127.0.0.1:18000"
    assert eps["internal"]["address"] == "127.0.0.1:18001"
    assert conf["ping"]["entryPoint"] == "internal"
    assert conf["metrics"]["prometheus"]["entryPoint"] == "internal"
    assert conf["providers"]["file"]["filename"] == "/tmp/x/dynamic.yml"
    assert conf["accessLog"]["format"] == "json"
    assert conf["accessLog"]["filePath"] == "/tmp/x/access.log"
    headers = conf["accessLog"]["fields"]["headers"]
    assert headers["defaultMode"] == "drop"
    for name in ("Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "Proxy-Authorization"):
        assert headers["names"][name] == "drop"
    assert headers["names"]["X-Request-Id"] == "keep"
    assert conf["global"]["sendAnonymousUsage"] is False
    web_http = eps["web"]["http"]
    assert web_http["sanitizePath"] is True
    assert not any(web_http["encodedCharacters"].values())


def test_yaml_round_trips() -> None:
    files = render()
    assert yaml.safe_load(files["dynamic.yml"]) == DYNAMIC
    assert yaml.safe_load(files["static.yml"]) == static_config()


def test_committed_files_equal_a_fresh_render() -> None:
    for name, text in render(GatewayOptions()).items():
        path = COMMITTED / name
        assert path.is_file(), f"{path} is missing: run `uv run python -m mahaliyat_gateway render`"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} differs from a fresh render; do not edit it by hand, run "
            "`uv run python -m mahaliyat_gateway render --out gateway/traefik`"
        )


def test_cli_renders_the_committed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert main(["render", "--out", "gateway/traefik", "--check"]) == 0
    out = tmp_path / "out"
    assert main(["render", "--out", str(out), "--dynamic-file", DEFAULT_DYNAMIC_FILE]) == 0
    for name in ("static.yml", "dynamic.yml"):
        assert (out / name).read_text() == (COMMITTED / name).read_text()
    assert main(["render", "--out", str(out), "--check", "--max-body-bytes", "5"]) == 1
    assert main(["render", "--out", str(out), "--backend", "nope=http://x"]) == 2
    custom = tmp_path / "custom"
    assert (
        main(
            [
                "render",
                "--out",
                str(custom),
                "--backend",
                "kpi=http://a:1",
                "--backend",
                "kpi=http://b:1",
                "--rate-limit",
                "5/1s:7",
                "--no-cors",
            ]
        )
        == 0
    )
    dyn = yaml.safe_load((custom / "dynamic.yml").read_text())
    assert dyn["http"]["services"]["kpi"]["loadBalancer"]["servers"] == [
        {"url": "http://a:1"},
        {"url": "http://b:1"},
    ]
    assert dyn["http"]["middlewares"]["rate-limit"]["rateLimit"] == {
        "average": 5,
        "period": "1s",
        "burst": 7,
    }
    assert "cors" not in dyn["http"]["middlewares"]
    static = yaml.safe_load((custom / "static.yml").read_text())
    assert static["providers"]["file"]["filename"] == (custom / "dynamic.yml").as_posix()


def test_nested_prefixes_across_services_are_refused() -> None:
    routes = (
        Service("a", "a_service", "/api/a", ("/api/a",), 1),
        Service("b", "b_service", "/api/a/b", ("/api/a/b",), 2),
    )
    with pytest.raises(ConfigError, match="inside"):
        dynamic_config(GatewayOptions(strict_paths=()), routes)


@pytest.mark.parametrize("prefix", ["c", "/c/", "/", "/c`) || PathPrefix(`/", "/a b"])
def test_bad_prefixes_are_refused(prefix: str) -> None:
    routes = (Service("a", "a_service", "/api/a", ("/api/a", prefix), 1),)
    with pytest.raises(ConfigError):
        dynamic_config(GatewayOptions(strict_paths=()), routes)


def test_strict_paths_must_belong_to_a_service() -> None:
    with pytest.raises(ConfigError, match="no service"):
        dynamic_config(GatewayOptions(strict_paths=("/nowhere/token",)))


def test_rate_limit_option_is_rendered() -> None:
    options = GatewayOptions(auth_rate_limit=RateLimit(average=1, period="1m", burst=2))
    rl = dynamic_config(options)["http"]["middlewares"][MW_RATE_LIMIT_AUTH]
    assert rl == {"rateLimit": {"average": 1, "period": "1m", "burst": 2}}


def test_the_rule_reader_itself() -> None:
    rule = parse_rule("(Path(`/a`) || PathPrefix(`/a/`)) && !Method(`POST`)")
    assert rule(Request("/a/b"))
    assert not rule(Request("/a/b", method="POST"))
    assert not rule(Request("/ab"))
    with pytest.raises(ValueError, match="unknown matcher"):
        parse_rule("Nope(`x`)")
    with pytest.raises(ValueError, match="trailing"):
        parse_rule("Path(`/a`) Path(`/b`)")
