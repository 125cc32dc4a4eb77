"""Idempotency-Key: the first answer to a key is kept and replayed for the same request.

The key is scoped to the caller (the token's subject). The same key with the same
method, path and body answers what it answered the first time; with anything
else it is refused with 409. The key row is written first, in the request's own
transaction, so a concurrent twin waits on it and then finds it taken.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.problems import Problem
from notification_service.models import IdempotencyRecord


def request_digest(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Replay:
    status_code: int
    body: Any


class IdempotencyKeys:
    async def begin(
        self, session: AsyncSession, *, principal: str, key: str, digest: str, now: datetime
    ) -> Replay | IdempotencyRecord:
        """The stored answer to replay, or a fresh record to complete with :meth:`complete`."""
        found = await session.get(IdempotencyRecord, (principal, key))
        if found is not None:
            return self._replay(found, digest)
        record = IdempotencyRecord(
            principal=principal,
            key=key,
            request_digest=digest,
            status_code=0,
            response="null",
            created_at=now,
        )
        session.add(record)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Problem(
                409, "idempotency_key_in_use", "a request with this Idempotency-Key is in progress"
            ) from exc
        return record

    @staticmethod
    def complete(record: IdempotencyRecord, status_code: int, body: Any) -> None:
        record.status_code = status_code
        record.response = json.dumps(body, ensure_ascii=False, default=str)

    @staticmethod
    def _replay(found: IdempotencyRecord, digest: str) -> Replay:
        if found.request_digest != digest:
            raise Problem(
                409,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
            )
        if found.status_code == 0:
            raise Problem(409, "idempotency_key_in_use", "the first request is still in progress")
        return Replay(found.status_code, json.loads(found.response))
