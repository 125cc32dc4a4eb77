"""``Idempotency-Key`` on creation POSTs: a retry gets the first answer; a different body a 409."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import Principal
from mahaliyat.problems import Problem
from request_service.queries import idempotency

MAX_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: str
    headers: dict[str, str]


def principal_key(principal: Principal) -> str:
    return f"{principal.kind}:{principal.subject}"[:250]


def fingerprint(route: str, content: Any) -> str:
    canonical = json.dumps(
        {"route": route, "content": content}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def checked_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Problem(
            400,
            "bad_idempotency_key",
            f"Idempotency-Key: 1 to {MAX_KEY_LENGTH} printable characters",
        )
    return key


async def begin(
    session: AsyncSession, principal: Principal, key: str, print_: str
) -> StoredAnswer | None:
    """Take the key (None: go ahead), or the first answer to replay; 409 for another body."""
    who = principal_key(principal)
    if await idempotency.claim(session, who, key, print_):
        return None
    existing = await idempotency.find(session, who, key)
    if existing is None or existing.status_code is None or existing.response_body is None:
        raise Problem(
            409, "idempotency_in_progress", "a request with this key is still being handled"
        )
    if existing.fingerprint != print_:
        raise Problem(
            409,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request",
        )
    return StoredAnswer(
        existing.status_code, existing.response_body, dict(existing.response_headers or {})
    )


async def finish(
    session: AsyncSession,
    principal: Principal,
    key: str,
    status_code: int,
    body: str,
    headers: dict[str, str],
) -> None:
    await idempotency.complete(session, principal_key(principal), key, status_code, body, headers)
