"""``Idempotency-Key`` on creating requests: a retry gets the first answer, not a second record.

One table (``idempotency_keys``), one key format, one retention and one set of problems
for every service (draft-ietf-httpapi-idempotency-key-header):

- a key is 1 to 255 characters of ``[A-Za-z0-9_-]``; any other (or a missing required
  key) is refused with 400 ``idempotency_key_invalid`` naming the ``Idempotency-Key`` header;
- the same key with another route or body: 422 ``idempotency_key_reused``;
- the same key while its first request is still being handled: 409 ``idempotency_key_in_use``;
- a record lives 24 hours (:data:`RETENTION`); an older one is ignored and replaced, and
  :func:`purge_expired` deletes them (``ServiceRuntime`` runs it every hour).

The key is scoped to the caller (``kind:subject``). It is claimed first, in the request's
own transaction (``INSERT .. ON CONFLICT DO NOTHING``): on PostgreSQL a concurrent twin
waits on that row until the first commits, then replays its answer (or, if the first
rolled back, claims the key itself). Only a 2xx answer is kept; it is replayed byte for
byte (status, body, content type and the other headers) with ``Idempotent-Replayed: true``.
Any other answer, or an exception (the unit of work rolls back), releases the key.

The stored body is sealed (AES-GCM) with a key derived from the ``Idempotency-Key``
itself, which is stored only as a digest, and the request fingerprint is an HMAC under
that key: a one-time secret in an answer (a client secret, an initial password) or a
password in a request cannot be read from the database.

Use it from an endpoint that takes the unit-of-work ``Session``::

    async def create(body: Thing, session: Session, principal: CurrentPrincipal,
                     key: IdempotencyKey) -> Response:
        async def produce() -> Response:
            thing = await things.create(session, body)
            return JSONResponse(view(thing), 201, headers={"Location": ...})

        return await idempotent(session, principal, key, "POST /things", body, produce)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Depends, Header
from pydantic import BaseModel
from sqlalchemy import (
    JSON,
    Column,
    CursorResult,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    delete,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from mahaliyat import context
from mahaliyat.auth import Principal
from mahaliyat.db import UTCDateTime, make_metadata, upsert, utcnow
from mahaliyat.problems import Problem, field_error

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255
KEY_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_KEY_LENGTH}}}")

INVALID = "idempotency_key_invalid"  # 400
IN_USE = "idempotency_key_in_use"  # 409
REUSED = "idempotency_key_reused"  # 422

# Answer headers that are not the answer's own: recomputed (or meaningless) on a replay.
_NOT_STORED = frozenset({"content-length", "transfer-encoding", "connection", "date", "server"})

IDEMPOTENCY_METADATA = make_metadata()

idempotency_keys = Table(
    "idempotency_keys",
    IDEMPOTENCY_METADATA,
    Column("principal", String(255), primary_key=True),  # "kind:subject" of the caller
    Column("key_digest", String(64), primary_key=True),  # SHA-256 of principal and key
    Column("fingerprint", String(64), nullable=False),  # HMAC of route and canonical body
    Column("status_code", Integer, nullable=True),  # NULL while the first is being handled
    Column("response_body", LargeBinary, nullable=True),  # nonce + AES-GCM sealed bytes
    Column("response_headers", JSON, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_idempotency_keys_created_at", "created_at"),
)


def _say(ar: str, en: str) -> str:
    return en if context.language.get() == "en" else ar


def _invalid(code: str, ar: str, en: str) -> Problem:
    return Problem(400, INVALID, en, errors=[field_error(HEADER, code, _say(ar, en), "header")])


def checked_key(raw: str | None, *, required: bool = False) -> str | None:
    """The key as sent, None when absent (and not ``required``); 400 for any other format."""
    if raw is None:
        if required:
            raise _invalid(
                "required",
                "أرسل ترويسة Idempotency-Key مع هذا الطلب",
                "this request needs an Idempotency-Key header",
            )
        return None
    if KEY_PATTERN.fullmatch(raw) is None:
        raise _invalid(
            "format",
            "مفتاح التكرار من ١ إلى ٢٥٥ حرفًا من A-Z و a-z و 0-9 و _ و -",
            "Idempotency-Key: 1 to 255 characters of A-Z, a-z, 0-9, _ and -",
        )
    return raw


_DESCRIPTION = (
    "A retry with the same key and body gets the first answer (with `Idempotent-Replayed: "
    "true`) instead of a second record: 1 to 255 characters of `[A-Za-z0-9_-]`, kept 24 hours."
)


# The parameters' names are unlike any path parameter's: FastAPI would take ``key`` for ``{key}``.
async def _optional_key(
    idempotency_key_header: Annotated[
        str | None, Header(alias=HEADER, description=_DESCRIPTION)
    ] = None,
) -> str | None:
    return checked_key(idempotency_key_header)


async def _required_key(
    idempotency_key_header: Annotated[
        str | None, Header(alias=HEADER, description=f"Required. {_DESCRIPTION}")
    ] = None,
) -> str:
    checked = checked_key(idempotency_key_header, required=True)
    assert checked is not None
    return checked


IdempotencyKey = Annotated[str | None, Depends(_optional_key)]
"""The endpoint parameter: the checked ``Idempotency-Key``, or None when not sent."""

RequiredIdempotencyKey = Annotated[str, Depends(_required_key)]
"""The same, for an endpoint that refuses a request without a key (400)."""


def principal_of(principal: Principal | str) -> str:
    """Whose key it is: ``kind:subject`` (subjects are unique only within a kind)."""
    who = principal if isinstance(principal, str) else f"{principal.kind}:{principal.subject}"
    if len(who) > 255:
        return "sha256:" + hashlib.sha256(who.encode()).hexdigest()
    return who


def canonical(route: str, content: Any) -> bytes:
    """What makes two requests "the same": the route and the body, keys sorted."""
    if isinstance(content, BaseModel):
        content = content.model_dump(mode="json")
    return json.dumps(
        [route, content], sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


@dataclass(frozen=True, slots=True)
class _Claim:
    principal: str
    key_digest: str
    seal_key: bytes
    fingerprint: str


def _derive(principal: str, key: str, route: str, content: Any) -> _Claim:
    material = f"{principal}\x00{key}".encode()
    seal_key = hashlib.sha256(b"seal\x00" + material).digest()
    return _Claim(
        principal,
        hashlib.sha256(b"lookup\x00" + material).hexdigest(),
        seal_key,
        hmac.new(seal_key, canonical(route, content), hashlib.sha256).hexdigest(),
    )


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: bytes
    headers: dict[str, str]

    def response(self) -> Response:
        """The stored answer as sent the first time, marked as a replay."""
        return Response(
            content=self.body,
            status_code=self.status_code,
            headers={**self.headers, REPLAYED_HEADER: "true"},
        )


def _rows(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


def _insert(session: AsyncSession) -> Any:
    return upsert(session, idempotency_keys)


async def _claim(session: AsyncSession, claimed: _Claim, now: datetime) -> StoredAnswer | None:
    """Take the key for this transaction (None), or the first answer to replay.

    422 when the key was used for another request, 409 while that request is in progress.
    """
    where = (
        idempotency_keys.c.principal == claimed.principal,
        idempotency_keys.c.key_digest == claimed.key_digest,
    )
    for _ in range(3):
        inserted = await session.execute(
            _insert(session)
            .values(
                principal=claimed.principal,
                key_digest=claimed.key_digest,
                fingerprint=claimed.fingerprint,
                created_at=now,
            )
            .on_conflict_do_nothing()
        )
        if _rows(inserted) == 1:
            return None
        stored = (await session.execute(select(idempotency_keys).where(*where))).one_or_none()
        if stored is None:  # purged between the two statements: try again
            continue
        if stored.created_at <= now - RETENTION:  # expired: this request takes it over
            replaced = await session.execute(
                update(idempotency_keys)
                .where(*where, idempotency_keys.c.created_at == stored.created_at)
                .values(
                    fingerprint=claimed.fingerprint,
                    created_at=now,
                    status_code=None,
                    response_body=None,
                    response_headers=None,
                )
            )
            if _rows(replaced) == 1:
                return None
            continue  # a twin replaced it first: look again
        if not hmac.compare_digest(stored.fingerprint, claimed.fingerprint):
            raise Problem(
                422,
                REUSED,
                "this Idempotency-Key was used for a different request",
                errors=[
                    field_error(
                        HEADER,
                        REUSED,
                        _say(
                            "استُخدم مفتاح التكرار هذا لطلب مختلف",
                            "this key was used for a different request",
                        ),
                        "header",
                    )
                ],
            )
        if stored.status_code is None or stored.response_body is None:
            break
        return StoredAnswer(
            stored.status_code,
            _unseal(claimed, stored.response_body),
            dict(stored.response_headers or {}),
        )
    raise Problem(
        409,
        IN_USE,
        _say(
            "طلب بمفتاح التكرار هذا ما زال قيد التنفيذ؛ أعد المحاولة بعد قليل",
            "a request with this Idempotency-Key is still being handled; retry shortly",
        ),
    )


def _seal(claimed: _Claim, body: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(claimed.seal_key).encrypt(nonce, body, claimed.key_digest.encode())


def _unseal(claimed: _Claim, sealed: bytes) -> bytes:
    try:
        return AESGCM(claimed.seal_key).decrypt(
            sealed[:12], sealed[12:], claimed.key_digest.encode()
        )
    except InvalidTag as exc:  # the row was changed behind our back: never replay it
        raise Problem(409, IN_USE, "the stored answer for this key cannot be read") from exc


async def _complete(session: AsyncSession, claimed: _Claim, response: Response) -> None:
    """Keep a 2xx answer for the retries; release the key for any other."""
    where = (
        idempotency_keys.c.principal == claimed.principal,
        idempotency_keys.c.key_digest == claimed.key_digest,
    )
    if not 200 <= response.status_code < 300:
        await session.execute(delete(idempotency_keys).where(*where))
        return
    body = getattr(response, "body", None)
    if not isinstance(body, bytes):
        raise TypeError("an idempotent answer must have its body in memory (not streamed)")
    headers = {k: v for k, v in response.headers.items() if k.lower() not in _NOT_STORED}
    await session.execute(
        update(idempotency_keys)
        .where(*where)
        .values(
            status_code=response.status_code,
            response_body=_seal(claimed, body),
            response_headers=headers,
        )
    )


async def idempotent(
    session: AsyncSession,
    principal: Principal | str,
    key: str | None,
    route: str,
    content: Any,
    produce: Callable[[], Awaitable[Response]],
    *,
    now: datetime | None = None,
) -> Response:
    """Answer with ``produce()`` once per (principal, ``key``); a retry gets that answer again.

    ``route`` names the operation (``"POST /things"``, with path parameters in ``content``
    or the route); ``content`` is the request body (JSON-able or a pydantic model). Without
    a key, ``produce()`` simply runs. ``session`` is the unit-of-work session: nothing here
    commits. ``now`` is the service's clock reading (tests), the wall clock by default.
    """
    if key is None:
        return await produce()
    checked_key(key)
    claimed = _derive(principal_of(principal), key, route, content)
    stored = await _claim(session, claimed, now or utcnow())
    if stored is not None:
        return stored.response()
    response = await produce()
    await _complete(session, claimed, response)
    return response


async def purge_expired(
    session: AsyncSession, *, now: datetime | None = None, retention: timedelta = RETENTION
) -> int:
    """Delete the records older than ``retention``; how many went."""
    cutoff = (now or utcnow()) - retention
    result = await session.execute(
        delete(idempotency_keys).where(idempotency_keys.c.created_at <= cutoff)
    )
    return _rows(result)
