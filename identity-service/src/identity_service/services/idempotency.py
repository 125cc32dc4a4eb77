"""Idempotency-Key on creating POSTs: a retried request gets the first answer, not a second record.

The record is claimed at the start of the request's transaction, so a parallel retry
waits for the first and then replays it. Records live 24 hours.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.errors import say
from identity_service.models import IdempotencyRecord
from identity_service.services.sessions import rows_changed
from mahaliyat.db import upsert
from mahaliyat.problems import Problem

RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Replay:
    status_code: int
    body: Any


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    key_digest: str
    response_key: bytes


def _derive(actor: str, key: str) -> IdempotencyClaim:
    material = f"{actor}\x00{key}".encode()
    return IdempotencyClaim(
        hashlib.sha256(b"lookup\x00" + material).hexdigest(),
        hashlib.sha256(b"seal\x00" + material).digest(),
    )


async def claim(
    session: AsyncSession, *, actor: str, key: str, fingerprint: str, now: datetime
) -> IdempotencyClaim | Replay:
    """Claim ``key`` for this request, or the stored first answer to replay."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Problem(
            422,
            "validation_failed",
            errors=[
                {
                    "field": "Idempotency-Key",
                    "location": "header",
                    "code": "idempotency_key_format",
                    "message": say("مفتاح التكرار من 1 إلى 200 حرف.", "1 to 200 characters."),
                }
            ],
        )
    derived = _derive(actor, key)
    # Keyed, so a password in the request cannot be guessed from the stored fingerprint.
    fingerprint = hmac.new(derived.response_key, fingerprint.encode(), hashlib.sha256).hexdigest()
    await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - RETENTION)
    )
    inserted = await session.execute(
        upsert(session, IdempotencyRecord)
        .values(key_digest=derived.key_digest, actor=actor, fingerprint=fingerprint, created_at=now)
        .on_conflict_do_nothing(index_elements=["key_digest"])
    )
    if rows_changed(inserted) == 1:
        return derived
    stored = (
        await session.execute(
            select(IdempotencyRecord).where(IdempotencyRecord.key_digest == derived.key_digest)
        )
    ).scalar_one()
    if not hmac.compare_digest(stored.fingerprint, fingerprint):
        raise Problem(
            422,
            "idempotency_key_reused",
            say(
                "استُخدم مفتاح التكرار هذا لطلب مختلف.",
                "This Idempotency-Key was used for a different request.",
            ),
        )
    if stored.status_code is None or stored.sealed_body is None:
        raise Problem(409, "request_in_progress")
    try:
        body = AESGCM(derived.response_key).decrypt(
            stored.sealed_body[:12], stored.sealed_body[12:], derived.key_digest.encode()
        )
    except InvalidTag as exc:  # the row was tampered with
        raise Problem(409, "idempotency_record_unreadable") from exc
    return Replay(stored.status_code, json.loads(body))


async def complete(
    session: AsyncSession, claimed: IdempotencyClaim, status_code: int, body: Any
) -> None:
    nonce = os.urandom(12)
    sealed = AESGCM(claimed.response_key).encrypt(
        nonce, json.dumps(body).encode(), claimed.key_digest.encode()
    )
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.key_digest == claimed.key_digest)
        .values(status_code=status_code, sealed_body=nonce + sealed)
    )


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path} {canonical}".encode()).hexdigest()
