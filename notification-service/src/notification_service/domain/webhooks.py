"""Webhook authentication besides our HMAC scheme, and what makes two payloads the same.

Egyptian bulk-SMS gateways push receipts and inbound texts with a fixed token (in
a header or in the query string of the callback URL we give them), with HTTP basic
auth, or from known addresses. Secrets are compared in constant time. The source
address is read as the rest of the platform reads it: behind ``hops`` trusted
proxies, that many entries from the right of X-Forwarded-For (the gateway appends
the peer it saw; entries further left are whatever the client sent).

Token and basic auth carry no timestamp, so a captured or re-sent request would
be accepted again; :func:`payload_digest` names a payload independently of its
encoding (GET query, form or JSON; field order) for the replay store.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from notification_service.domain.signatures import WebhookAuthError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def same_secret(expected: str, offered: str) -> bool:
    """Constant-time comparison of two texts."""
    return hmac.compare_digest(expected.encode(), offered.encode())


def verify_token(expected: str, offered: Iterable[str | None]) -> None:
    """Raise unless one of the ``offered`` tokens (header, query parameter) is ``expected``."""
    present = [token for token in offered if token]
    if not present:
        raise WebhookAuthError("token_missing", "the webhook token is missing")
    # Every offered value is compared, so the time taken does not depend on which matched.
    matches = [same_secret(expected, token) for token in present]
    if not any(matches):
        raise WebhookAuthError("bad_token", "the webhook token does not match")


def verify_basic(username: str, password: str, authorization: str | None) -> None:
    """Raise unless ``authorization`` is ``Basic base64(username:password)``."""
    scheme, _, credentials = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not credentials.strip():
        raise WebhookAuthError("credentials_missing", "basic credentials are missing")
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise WebhookAuthError("bad_credentials", "the basic credentials are malformed") from exc
    user, separator, secret = decoded.partition(":")
    # Both halves are always compared: a wrong user costs the same time as a wrong password.
    user_ok = same_secret(username, user)
    secret_ok = same_secret(password, secret)
    if not (separator and user_ok and secret_ok):
        raise WebhookAuthError("bad_credentials", "the basic credentials do not match")


def client_address(forwarded: Sequence[str], peer: str | None, hops: int) -> str | None:
    """The caller's address: ``hops`` entries from the right of X-Forwarded-For, else the peer.

    ``forwarded`` holds the X-Forwarded-For header values as received (each may list
    several comma-separated addresses). The same rule as identity-service's ``client_ip``.
    """
    if hops:
        entries = [part.strip() for header in forwarded for part in header.split(",")]
        entries = [entry for entry in entries if entry]
        if entries:
            return entries[-hops] if len(entries) >= hops else entries[0]
    return peer


def address_allowed(address: str | None, allowed: Iterable[IPNetwork]) -> bool:
    """Whether ``address`` lies in one of the ``allowed`` networks (an unreadable one never does)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:41.33.1.2 is 41.33.1.2
    return any(ip.version == network.version and ip in network for network in allowed)


def payload_digest(kind: str, records: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 of the records in a canonical form: the same however they were encoded.

    Values are compared as text, so ``{"id": 5}`` in JSON and ``id=5`` in a form are one
    payload; keys are sorted. ``kind`` (receipts, inbound) keeps the two webhooks apart.
    """
    canonical = [_canonical(record) for record in records]
    text = json.dumps(
        {"kind": kind, "records": canonical},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
