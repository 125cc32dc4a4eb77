"""The middlewares of the dynamic configuration and the chain each router runs through."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .headers import IDENTITY_HEADERS
from .options import DEFAULT_MEM_BODY_BYTES, GatewayOptions, RateLimit

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
