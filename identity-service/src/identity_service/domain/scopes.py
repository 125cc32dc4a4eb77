"""OAuth2 scopes clients may hold: ``<resource>:<action>``."""

from __future__ import annotations

import re

_SCOPE = re.compile(r"^[a-z][a-z_]*:[a-z][a-z_]*$")

DEFAULT_PARTNER_SCOPES = (
    "catalog:read",
    "requests:read",
    "requests:write",
    "licensing:read",
    "licensing:write",
    "payments:read",
    "kpi:read",
)


# Only the platform's own services (clients of kind ``service``) may hold these:
# ``requests:status`` reads an application's phone number for the SMS inquiry.
SERVICE_ONLY_SCOPES = ("requests:status",)

CLIENT_KINDS = ("partner", "service")


def is_scope(value: str) -> bool:
    return bool(_SCOPE.match(value))


def parse_scope(value: str) -> frozenset[str]:
    """A space-separated scope parameter (RFC 6749 §3.3) as a set."""
    return frozenset(value.split())


def format_scope(scopes: frozenset[str] | set[str] | tuple[str, ...]) -> str:
    return " ".join(sorted(scopes))
