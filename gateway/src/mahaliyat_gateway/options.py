"""What may differ between deployments of the gateway, with the defaults of `make up`.

The defaults are policy (body limits, rate limits, the CSPs, the credential paths under
a stricter limit); :class:`GatewayOptions` carries them into ``mahaliyat_gateway.traefik``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .routes import ROUTES, Service

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
