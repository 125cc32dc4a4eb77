"""OAuth2 scopes partner clients may hold: ``<resource>:<action>``."""

from __future__ import annotations

import re

_SCOPE = re.compile(r"^[a-z][a-z_]*:[a-z][a-z_]*$")

DEFAULT_PARTNER_SCOPES = (
    "catalog:read",
    "requests:read",
    "requests:write",
    "requests:status",
    "licensing:read",
    "licensing:write",
    "payments:read",
    "kpi:read",
)


def is_scope(value: str) -> bool:
    return bool(_SCOPE.match(value))


def parse_scope(value: str) -> frozenset[str]:
    """A space-separated scope parameter (RFC 6749 §3.3) as a set."""
    return frozenset(value.split())


def format_scope(scopes: frozenset[str] | set[str] | tuple[str, ...]) -> str:
    return " ".join(sorted(scopes))
