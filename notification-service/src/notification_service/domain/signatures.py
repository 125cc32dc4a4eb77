"""Our webhook signature: HMAC-SHA256 over ``<timestamp>.<raw body>`` with a per-provider secret.

Headers: ``X-Mahaliyat-Timestamp`` (Unix seconds) and ``X-Mahaliyat-Signature``
(``sha256=<hex>``; several comma-separated values are accepted, so a provider can
sign with an old and a new secret while they rotate). The timestamp is inside the
signed text, so a captured request cannot be replayed later with a fresh one. A
GET signs its raw query string in place of the body. The other ways providers
authenticate are in ``domain/webhooks``.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

PREFIX = "sha256="


class WebhookAuthError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return PREFIX + digest.hexdigest()


def verify(
    secret: str,
    *,
    timestamp: str | None,
    signatures: str | None,
    body: bytes,
    now: datetime,
    tolerance_seconds: float,
) -> None:
    """Raise :class:`WebhookAuthError` unless the body is signed with ``secret`` and recent."""
    if not timestamp or not signatures:
        raise WebhookAuthError("signature_missing", "the signature or timestamp header is missing")
    try:
        sent_at = int(timestamp.strip())
    except ValueError as exc:
        raise WebhookAuthError("bad_timestamp", "the timestamp is not Unix seconds") from exc
    if abs(now.timestamp() - sent_at) > tolerance_seconds:
        raise WebhookAuthError("stale_timestamp", "the timestamp is too old or in the future")
    expected = signature(secret, timestamp.strip(), body)
    offered = [part.strip() for part in signatures.split(",")]
    if not any(hmac.compare_digest(expected.encode(), part.encode()) for part in offered):
        raise WebhookAuthError("bad_signature", "the signature does not match")
