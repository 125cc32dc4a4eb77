"""The one route table: which path prefixes belong to which service.

Both the Traefik dynamic configuration (``mahaliyat_gateway.traefik``) and the
embedded dispatcher (``mahaliyat_deploy.embedded``) are derived from ``ROUTES``;
nothing else may list prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Service:
    """A deployable service and where its ASGI app comes from."""

    name: str  # short name, e.g. "catalog"
    package: str  # import name, e.g. "catalog_service"
    api_prefix: str  # the prefix its health, docs and OpenAPI live under
    prefixes: tuple[str, ...]  # every path prefix routed to it
    port: int  # loopback port when run distributed on one machine

    @property
    def factory(self) -> str:
        """``module:callable`` that builds the app from its settings (uvicorn --factory)."""
        return f"{self.package}.app:create_app"


ROUTES: tuple[Service, ...] = (
    Service(
        "identity",
        "identity_service",
        "/api/v1/identity",
        ("/api/v1/identity", "/.well-known"),
        8101,
    ),
    Service(
        "catalog",
        "catalog_service",
        "/api/v1/catalog",
        ("/api/v1/catalog", "/c", "/guide", "/guide.pdf"),
        8102,
    ),
    Service("request", "request_service", "/api/v1/requests", ("/api/v1/requests",), 8103),
    Service(
        "licensing",
        "licensing_service",
        "/api/v1/licensing",
        ("/api/v1/licensing", "/verify"),
        8104,
    ),
    Service("payment", "payment_service", "/api/v1/payments", ("/api/v1/payments",), 8105),
    Service(
        "notification",
        "notification_service",
        "/api/v1/notifications",
        ("/api/v1/notifications",),
        8106,
    ),
    Service("kpi", "kpi_service", "/api/v1/kpi", ("/api/v1/kpi", "/dashboard"), 8107),
)


def by_name(name: str) -> Service:
    for service in ROUTES:
        if service.name == name:
            return service
    raise KeyError(name)


def match(path: str) -> Service | None:
    """The service owning ``path``: the longest prefix that matches on a segment boundary."""
    best: tuple[int, Service] | None = None
    for service in ROUTES:
        for prefix in service.prefixes:
            if (path == prefix or path.startswith(prefix + "/")) and (
                best is None or len(prefix) > best[0]
            ):
                best = (len(prefix), service)
    return best[1] if best else None
