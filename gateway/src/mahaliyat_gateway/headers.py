"""Which request headers the gateway removes, and which the access log keeps or drops."""

from __future__ import annotations

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
