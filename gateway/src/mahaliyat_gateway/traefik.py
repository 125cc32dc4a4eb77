"""Traefik configuration derived from the one route table (``mahaliyat_gateway.routes``).

Two documents come out of here:

* the **static** configuration (``static_config``): the ``web`` entry point the world
  talks to, an ``internal`` entry point for ``/ping`` and Prometheus ``/metrics``, the
  file provider pointing at the dynamic file, a JSON access log with credentials and
  identity headers dropped, and the backend transport timeouts;
* the **dynamic** configuration (``dynamic_config``): one router per service matching
  each of its prefixes on a segment boundary, a higher-priority router per service
  for its API docs (a CSP that lets Swagger UI load), a higher-priority router for
  each credential endpoint (a stricter rate limit), one load-balanced service per app
  health-checked on ``<api_prefix>/healthz``, and the middlewares.

Nothing here lists prefixes: they all come from ``ROUTES``. Backend URLs, listen
addresses and limits are parameters (``GatewayOptions``) so that tests and other
deployments can point the same configuration anywhere.

``X-Request-Id``: Traefik passes a client's header through untouched but cannot mint
one. Every service generates one when the request has none (``mahaliyat.web``) and
returns it; the access log keeps both the request's and the response's
``X-Request-Id``, so each line can be tied to the service's own logs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .routes import ROUTES, Service

ENTRYPOINT = "web"
INTERNAL_ENTRYPOINT = "internal"

DEFAULT_ADDRESS = "127.0.0.1:8000"
DEFAULT_INTERNAL_ADDRESS = "127.0.0.1:8082"
DEFAULT_DYNAMIC_FILE = "gateway/traefik/dynamic.yml"
DEFAULT_MAX_BODY_BYTES = 12 * 1024 * 1024
DEFAULT_MEM_BODY_BYTES = 1024 * 1024

# Services whose requests carry documents get a larger limit than DEFAULT_MAX_BODY_BYTES:
# request-service takes up to 40 MiB of documents per submission and answers a 422
# naming ``documents`` past that, so the gateway's 413 sits a little above it.
DEFAULT_SERVICE_BODY_BYTES: Mapping[str, int] = {"request": 44 * 1000 * 1000}

# The Egyptian digital-services portal; override with --cors-origin.
DEFAULT_CORS_ORIGINS: tuple[str, ...] = ("https://digital.gov.eg", "https://www.digital.gov.eg")

# Credential endpoints: a much stricter per-IP limit on top of the general one. Each
# of them runs argon2 or sends an SMS, so the general limit would let one address
# keep identity's CPU busy or spray passwords across many usernames.
STRICT_PATHS: tuple[str, ...] = (
    "/api/v1/identity/otp",
    "/api/v1/identity/token",
    "/api/v1/identity/staff/login",
    "/api/v1/identity/staff/password",
    "/api/v1/identity/introspect",
    "/api/v1/identity/revoke",
)

# Headers a client could use to claim an identity. Removed before any backend sees
# them: a request is trusted only by its bearer token, which each service verifies.
# Traefik cannot delete by wildcard, so ``X-Auth-*`` is covered by the common names
# below; the services never read any of these headers in the first place. Aliases
# (``X_Principal``, ``X.Principal``) are removed by the entry point's
# ``aliasHeadersStrategy: delete``.
IDENTITY_HEADERS: tuple[str, ...] = (
    "X-Principal",
    "X-Principal-Id",
    "X-User",
    "X-User-Id",
    "X-User-Name",
    "X-Username",
    "X-Email",
    "X-Roles",
    "X-Role",
    "X-Scopes",
    "X-Jurisdiction",
    "X-Jurisdictions",
    "X-Tenant",
    "X-Remote-User",
    "Remote-User",
    "X-Authenticated-User",
    "X-Authenticated-Userid",
    "X-Forwarded-User",
    "X-Forwarded-Email",
    "X-Forwarded-Groups",
    "X-Forwarded-Preferred-Username",
    "X-Forwarded-Access-Token",
    "X-Auth-User",
    "X-Auth-User-Id",
    "X-Auth-Userid",
    "X-Auth-Username",
    "X-Auth-Email",
    "X-Auth-Roles",
    "X-Auth-Role",
    "X-Auth-Groups",
    "X-Auth-Scopes",
    "X-Auth-Subject",
    "X-Auth-Principal",
    "X-Auth-Jurisdiction",
    "X-Auth-Token",
    "X-Auth-Request-User",
    "X-Auth-Request-Email",
    "X-Auth-Request-Groups",
    "X-Auth-Request-Preferred-Username",
    "X-Auth-Request-Access-Token",
)

# Never written to the access log, whatever its default mode says.
SENSITIVE_HEADERS: tuple[str, ...] = (
    "Authorization",
    "Proxy-Authorization",
    "Cookie",
    "Set-Cookie",
    "X-Api-Key",
    "X-Csrf-Token",
    "X-Xsrf-Token",
    "X-Signature",
    "X-Webhook-Signature",
    *IDENTITY_HEADERS,
)

# The only headers the access log keeps (request_*, origin_* and downstream_*).
LOGGED_HEADERS: tuple[str, ...] = (
    "X-Request-Id",
    "User-Agent",
    "Referer",
    "Origin",
    "Content-Type",
    "Accept-Language",
    "X-Forwarded-For",
)

# For the server-rendered pages (/c, /guide, /verify, /dashboard): same-origin
# scripts only; inline style attributes allowed; no framing, plugins or foreign forms.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# For <api_prefix>/docs and /redoc: FastAPI's Swagger UI and ReDoc pages load their
# bundles from jsDelivr and start with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

DOCS_PATHS: tuple[str, ...] = ("/docs", "/redoc")

ENCODED_CHARACTER_OPTIONS: tuple[str, ...] = (
    "allowEncodedSlash",
    "allowEncodedBackSlash",
    "allowEncodedNullCharacter",
    "allowEncodedSemicolon",
    "allowEncodedPercent",
    "allowEncodedQuestionMark",
    "allowEncodedHash",
)

PRIORITY_SERVICE = 10
PRIORITY_DOCS = 20
PRIORITY_STRICT = 30

# Middleware names (all defined in the dynamic file, referenced as ``<name>@file``
# only from outside it).
MW_SECURITY = "security-headers"
MW_SECURITY_DOCS = "security-headers-docs"
MW_CORS = "cors"
MW_STRIP_IDENTITY = "strip-identity-headers"
MW_RATE_LIMIT = "rate-limit"
MW_RATE_LIMIT_AUTH = "rate-limit-auth"
MW_BODY_LIMIT = "body-limit"
MW_COMPRESS = "compress"
MW_CIRCUIT_BREAKER = "circuit-breaker"
MW_RETRY = "retry"

GENERATED_HEADER = (
    "# Generated by `python -m mahaliyat_gateway render` from mahaliyat_gateway.routes.ROUTES.\n"
    "# Do not edit: change the route table or mahaliyat_gateway/traefik.py and render again.\n"
)


class ConfigError(ValueError):
    """The route table or the options cannot be turned into a sound Traefik config."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A per-client-IP token bucket: ``average`` requests per ``period``, ``burst`` at once."""

    average: int
    period: str = "1s"
    burst: int = 1


DEFAULT_RATE_LIMIT = RateLimit(average=100, period="1s", burst=200)
DEFAULT_AUTH_RATE_LIMIT = RateLimit(average=30, period="1m", burst=10)


def default_backends(routes: Sequence[Service] = ROUTES) -> dict[str, tuple[str, ...]]:
    """Each service on its loopback port from the route table."""
    return {s.name: (f"http://127.0.0.1:{s.port}",) for s in routes}


@dataclass(frozen=True)
class GatewayOptions:
    """Everything that may differ between deployments; the defaults are `make up`'s."""

    address: str = DEFAULT_ADDRESS
    internal_address: str = DEFAULT_INTERNAL_ADDRESS
    dynamic_file: str = DEFAULT_DYNAMIC_FILE
    watch: bool = True
    # service name -> backend URLs (replicas); services left out use default_backends()
    backends: Mapping[str, Sequence[str]] = field(default_factory=dict)
    cors_origins: tuple[str, ...] = DEFAULT_CORS_ORIGINS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # service name -> its own request body limit (services left out: max_body_bytes)
    service_body_bytes: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_SERVICE_BODY_BYTES)
    )
    rate_limit: RateLimit = DEFAULT_RATE_LIMIT
    auth_rate_limit: RateLimit = DEFAULT_AUTH_RATE_LIMIT
    strict_paths: tuple[str, ...] = STRICT_PATHS
    # load balancers / CDNs in front whose X-Forwarded-For is believed
    trusted_proxies: tuple[str, ...] = ()
    access_log_path: str | None = None  # None: stdout
    log_level: str = "INFO"
    health_check_interval: str = "10s"
    health_check_timeout: str = "3s"
    retry_attempts: int = 3
    csp: str = DEFAULT_CSP
    docs_csp: str = DOCS_CSP
    hsts_seconds: int = 31_536_000

    def backend_urls(self, service: Service) -> tuple[str, ...]:
        urls = self.backends.get(service.name)
        if urls is None:
            return (f"http://127.0.0.1:{service.port}",)
        return tuple(urls)


# --------------------------------------------------------------------------- rules


def prefix_rule(prefixes: Iterable[str]) -> str:
    """``Path(`/c`) || PathPrefix(`/c/`)`` for each prefix: a match on a segment boundary."""
    parts: list[str] = []
    for prefix in prefixes:
        _check_prefix(prefix)
        parts.append(f"Path(`{prefix}`) || PathPrefix(`{prefix}/`)")
    return " || ".join(parts)


def _check_prefix(prefix: str) -> None:
    if not prefix.startswith("/") or prefix == "/" or prefix.endswith("/"):
        raise ConfigError(f"prefix {prefix!r} must start with '/' and not end with one")
    if any(c in prefix for c in "`\"' \t\r\n()|&!"):
        raise ConfigError(f"prefix {prefix!r} holds a character a Traefik rule cannot carry")


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _check_routes(routes: Sequence[Service], options: GatewayOptions) -> None:
    names = [s.name for s in routes]
    if len(set(names)) != len(names):
        raise ConfigError(f"service names repeat: {names}")
    unknown = set(options.backends) - set(names)
    if unknown:
        raise ConfigError(f"backends for unknown services: {sorted(unknown)}")
    for service in routes:
        if not options.backend_urls(service):
            raise ConfigError(f"service {service.name!r} has no backend URL")
        if not any(_under(service.api_prefix, p) for p in service.prefixes):
            raise ConfigError(
                f"{service.name}: api_prefix {service.api_prefix} is not routed to it"
            )
        for prefix in service.prefixes:
            _check_prefix(prefix)
    # One router per service and a fixed priority are only right if no prefix of one
    # service lies inside a prefix of another (the route table's longest-prefix rule
    # would then need per-prefix priorities).
    for a in routes:
        for b in routes:
            if a is b:
                continue
            for pa in a.prefixes:
                for pb in b.prefixes:
                    if _under(pa, pb):
                        raise ConfigError(
                            f"prefix {pa} of {a.name} lies inside prefix {pb} of {b.name}"
                        )
    unknown = set(options.service_body_bytes) - set(names)
    if unknown:
        raise ConfigError(f"body limits for unknown services: {sorted(unknown)}")
    for name, limit in options.service_body_bytes.items():
        if limit <= 0:
            raise ConfigError(f"body limit for {name} must be positive, not {limit}")


# --------------------------------------------------------------------------- dynamic


def _rate_limit(limit: RateLimit, trusted_proxies: Sequence[str]) -> dict[str, Any]:
    conf: dict[str, Any] = {
        "average": limit.average,
        "period": limit.period,
        "burst": limit.burst,
    }
    if trusted_proxies:
        # Behind trusted proxies the client is the first X-Forwarded-For hop (from
        # the right) that is not one of them. Without them: the TCP peer address.
        conf["sourceCriterion"] = {"ipStrategy": {"excludedIPs": list(trusted_proxies)}}
    return conf


def _security_headers(options: GatewayOptions, csp: str) -> dict[str, Any]:
    return {
        "headers": {
            "stsSeconds": options.hsts_seconds,
            "stsIncludeSubdomains": True,
            # TLS may end in front of Traefik; browsers ignore HSTS over plain HTTP.
            "forceSTSHeader": True,
            "contentTypeNosniff": True,
            "frameDeny": True,
            "referrerPolicy": "strict-origin-when-cross-origin",
            "contentSecurityPolicy": csp,
            "permissionsPolicy": "camera=(), microphone=(), geolocation=(), usb=()",
            "customResponseHeaders": {
                "Cross-Origin-Opener-Policy": "same-origin",
                "X-Permitted-Cross-Domain-Policies": "none",
                "Server": "",
            },
        }
    }


def middlewares(options: GatewayOptions) -> dict[str, Any]:
    """Every middleware of the dynamic configuration, by name."""
    mws: dict[str, Any] = {
        MW_SECURITY: _security_headers(options, options.csp),
        MW_SECURITY_DOCS: _security_headers(options, options.docs_csp),
    }
    if options.cors_origins:
        mws[MW_CORS] = {
            "headers": {
                "accessControlAllowOriginList": list(options.cors_origins),
                "accessControlAllowMethods": [
                    "GET",
                    "HEAD",
                    "POST",
                    "PUT",
                    "PATCH",
                    "DELETE",
                    "OPTIONS",
                ],
                "accessControlAllowHeaders": [
                    "Authorization",
                    "Content-Type",
                    "Accept",
                    "Accept-Language",
                    "Idempotency-Key",
                    "X-Request-Id",
                ],
                "accessControlExposeHeaders": [
                    "X-Request-Id",
                    "Location",
                    "Retry-After",
                    "Content-Disposition",
                    "ETag",
                ],
                "accessControlAllowCredentials": False,
                "accessControlMaxAge": 600,
                "addVaryHeader": True,
            }
        }
    mws[MW_STRIP_IDENTITY] = {
        "headers": {"customRequestHeaders": dict.fromkeys(IDENTITY_HEADERS, "")}
    }
    mws[MW_RATE_LIMIT] = {"rateLimit": _rate_limit(options.rate_limit, options.trusted_proxies)}
    mws[MW_RATE_LIMIT_AUTH] = {
        "rateLimit": _rate_limit(options.auth_rate_limit, options.trusted_proxies)
    }
    mws[MW_BODY_LIMIT] = _body_limit(options.max_body_bytes)
    for name, limit in sorted(options.service_body_bytes.items()):
        mws[body_limit_name(name)] = _body_limit(limit)
    mws[MW_COMPRESS] = {
        "compress": {
            "minResponseBodyBytes": 1024,
            "excludedContentTypes": [
                "text/event-stream",
                "application/pdf",
                "application/zip",
                "image/png",
                "image/jpeg",
                "image/webp",
            ],
        }
    }
    mws[MW_CIRCUIT_BREAKER] = {
        "circuitBreaker": {
            # Only transport failures (502/504 from the proxy): an app's own 5xx
            # must not take the whole service off the air.
            "expression": "NetworkErrorRatio() > 0.50",
            "checkPeriod": "1s",
            "fallbackDuration": "10s",
            "recoveryDuration": "10s",
        }
    }
    mws[MW_RETRY] = {
        "retry": {
            "attempts": options.retry_attempts,
            "initialInterval": "100ms",
            # Traefik retries any request that never reached a backend (connection
            # refused: nothing was sent), and an idempotent one whose replica dropped the
            # connection without answering; a POST or PATCH the backend may have received
            # is never replayed (the client may retry it with its Idempotency-Key).
            # No ``status`` (retrying answered 502-504s): Traefik then holds every
            # response to read its status, which halved the throughput of a fast
            # endpoint in bench/gateway.py, while an app's own 5xx is its answer anyway.
            "retryNonIdempotentMethod": False,
        }
    }
    return mws


def body_limit_name(service: str) -> str:
    return f"{MW_BODY_LIMIT}-{service}"


def _body_limit(limit: int) -> dict[str, Any]:
    return {
        "buffering": {
            "maxRequestBodyBytes": limit,
            "memRequestBodyBytes": min(DEFAULT_MEM_BODY_BYTES, limit),
        }
    }


def middleware_chain(
    options: GatewayOptions,
    *,
    docs: bool = False,
    strict: bool = False,
    service: str | None = None,
) -> list[str]:
    """The middlewares of one router, outermost first.

    Headers first, so that the gateway's own answers (429, 413, 503) carry them too;
    rate limits before buffering a body; retry last, next to the backend.
    """
    chain = [MW_SECURITY_DOCS if docs else MW_SECURITY]
    if options.cors_origins:
        chain.append(MW_CORS)
    chain.append(MW_STRIP_IDENTITY)
    chain.append(MW_RATE_LIMIT)
    if strict:
        chain.append(MW_RATE_LIMIT_AUTH)
    if service is not None and service in options.service_body_bytes:
        chain.append(body_limit_name(service))
    else:
        chain.append(MW_BODY_LIMIT)
    chain += [MW_COMPRESS, MW_CIRCUIT_BREAKER, MW_RETRY]
    return chain


def routers(options: GatewayOptions, routes: Sequence[Service] = ROUTES) -> dict[str, Any]:
    """Per service: its prefixes, its docs pages; per strict path: a stricter router."""
    out: dict[str, Any] = {}
    for service in routes:
        out[service.name] = {
            "entryPoints": [ENTRYPOINT],
            "rule": prefix_rule(service.prefixes),
            "priority": PRIORITY_SERVICE,
            "service": service.name,
            "middlewares": middleware_chain(options, service=service.name),
        }
    for service in routes:
        out[f"{service.name}-docs"] = {
            "entryPoints": [ENTRYPOINT],
            "rule": prefix_rule(service.api_prefix + p for p in DOCS_PATHS),
            "priority": PRIORITY_DOCS,
            "service": service.name,
            "middlewares": middleware_chain(options, docs=True),
        }
    for path in options.strict_paths:
        owner = _owner(path, routes)
        if owner is None:
            raise ConfigError(f"strict path {path} belongs to no service")
        name = f"{owner.name}-{path.rstrip('/').rsplit('/', 1)[-1]}"
        if name in out:
            raise ConfigError(f"router name {name} for strict path {path} is taken")
        out[name] = {
            "entryPoints": [ENTRYPOINT],
            "rule": prefix_rule([path]),
            "priority": PRIORITY_STRICT,
            "service": owner.name,
            "middlewares": middleware_chain(options, strict=True, service=owner.name),
        }
    return out


def _owner(path: str, routes: Sequence[Service]) -> Service | None:
    """``routes.match`` over any route table: the longest prefix on a segment boundary."""
    best: tuple[int, Service] | None = None
    for service in routes:
        for prefix in service.prefixes:
            if _under(path, prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), service)
    return best[1] if best else None


def services(options: GatewayOptions, routes: Sequence[Service] = ROUTES) -> dict[str, Any]:
    """One load balancer per app, health-checked on ``<api_prefix>/healthz``."""
    return {
        s.name: {
            "loadBalancer": {
                "servers": [{"url": url} for url in options.backend_urls(s)],
                "passHostHeader": True,
                "healthCheck": {
                    "path": f"{s.api_prefix}/healthz",
                    "interval": options.health_check_interval,
                    "timeout": options.health_check_timeout,
                },
            }
        }
        for s in routes
    }


def dynamic_config(
    options: GatewayOptions | None = None, routes: Sequence[Service] = ROUTES
) -> dict[str, Any]:
    """The file provider's document: routers, middlewares and services."""
    options = options or GatewayOptions()
    _check_routes(routes, options)
    return {
        "http": {
            "routers": routers(options, routes),
            "middlewares": middlewares(options),
            "services": services(options, routes),
        }
    }


# --------------------------------------------------------------------------- static


def static_config(options: GatewayOptions | None = None) -> dict[str, Any]:
    """Traefik's start-up configuration (``traefik --configFile=static.yml``)."""
    options = options or GatewayOptions()
    web: dict[str, Any] = {
        "address": options.address,
        "http": {
            # X_Principal, X.Principal ... are read as X-Principal by some stacks.
            "aliasHeadersStrategy": "delete",
            # Collapse ``..``, ``.`` and ``//`` before routing, and answer 400 to
            # encoded characters that let the router and a backend read a path
            # differently (%2F, %5C, %00, %3B, %25, %3F, %23).
            "sanitizePath": True,
            "encodedCharacters": dict.fromkeys(ENCODED_CHARACTER_OPTIONS, False),
        },
        "transport": {
            "respondingTimeouts": {
                "readTimeout": "60s",
                "writeTimeout": "0s",
                "idleTimeout": "180s",
            },
            "lifeCycle": {"graceTimeOut": "10s"},
        },
    }
    if options.trusted_proxies:
        web["forwardedHeaders"] = {"trustedIPs": list(options.trusted_proxies)}
    headers = dict.fromkeys(LOGGED_HEADERS, "keep")
    headers.update(dict.fromkeys(SENSITIVE_HEADERS, "drop"))
    access_log: dict[str, Any] = {
        "format": "json",
        "fields": {
            "defaultMode": "keep",
            "names": {"ClientUsername": "drop"},
            "headers": {"defaultMode": "drop", "names": headers},
        },
    }
    if options.access_log_path:
        access_log["filePath"] = options.access_log_path
    return {
        "global": {"checkNewVersion": False, "sendAnonymousUsage": False},
        "entryPoints": {
            ENTRYPOINT: web,
            INTERNAL_ENTRYPOINT: {
                "address": options.internal_address,
                "http": {"aliasHeadersStrategy": "reject"},
            },
        },
        "providers": {"file": {"filename": options.dynamic_file, "watch": options.watch}},
        "serversTransport": {
            "forwardingTimeouts": {
                "dialTimeout": "5s",
                "responseHeaderTimeout": "60s",
                "idleConnTimeout": "90s",
            }
        },
        "ping": {"entryPoint": INTERNAL_ENTRYPOINT},
        "metrics": {
            "prometheus": {
                "entryPoint": INTERNAL_ENTRYPOINT,
                "addEntryPointsLabels": True,
                "addRoutersLabels": True,
                "addServicesLabels": True,
            }
        },
        "log": {"level": options.log_level, "format": "json"},
        "accessLog": access_log,
    }


# --------------------------------------------------------------------------- files


def to_yaml(document: Mapping[str, Any]) -> str:
    body = yaml.safe_dump(
        dict(document), sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096
    )
    return GENERATED_HEADER + body


def render(
    options: GatewayOptions | None = None, routes: Sequence[Service] = ROUTES
) -> dict[str, str]:
    """``{"static.yml": ..., "dynamic.yml": ...}`` as text."""
    options = options or GatewayOptions()
    return {
        "static.yml": to_yaml(static_config(options)),
        "dynamic.yml": to_yaml(dynamic_config(options, routes)),
    }


def write(out: Path, options: GatewayOptions | None = None) -> list[Path]:
    """Render into ``out`` (created if missing); returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render(options).items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
