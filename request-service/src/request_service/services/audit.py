"""The audit log: entries written in the business transaction, sealed into the chain later.

Writing an entry takes no shared lock: it is one more row in the use case's own
transaction, inserted without ``seq`` or hash. :func:`seal` (run by the sealer
in its own short transaction) gives the committed unsealed entries, oldest
first, the next positions of the chain and their hashes. :func:`verify` walks
the sealed chain and also reports the entries still waiting, flagging those that
have waited longer than they should (a stopped or failing sealer).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat import context
from mahaliyat import events as outbox
from mahaliyat.auth import Principal
from mahaliyat.ids import new_id
from mahaliyat.problems import Problem
from request_service import events
from request_service.domain.audit import BrokenLink, ChainedEntry, ChainVerifier, chain_hash
from request_service.domain.text import Bilingual
from request_service.models import AuditCheckpoint, AuditEntry
from request_service.queries import applications, is_postgres
from request_service.queries import audit as audit_rows


class AuditContent(Protocol):
    """An audit row as an ORM object or a Core row: what the hash covers."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor_id(self) -> str: ...
    @property
    def actor_role(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def application_id(self) -> uuid.UUID | None: ...
    @property
    def from_state(self) -> str | None: ...
    @property
    def to_state(self) -> str | None: ...
    @property
    def reason(self) -> dict[str, str] | None: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def details(self) -> dict[str, Any]: ...


def hashed_content(entry: AuditContent, seq: int) -> dict[str, Any]:
    """What the hash covers: the entry's position in the chain and every column but the hashes."""
    return {
        "seq": seq,
        "id": str(entry.id),
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_role": entry.actor_role,
        "action": entry.action,
        "application_id": None if entry.application_id is None else str(entry.application_id),
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "reason": entry.reason,
        "request_id": entry.request_id,
        "details": entry.details,
    }


def entry(
    *,
    at: datetime,
    actor_id: str,
    actor_role: str,
    action: str,
    application_id: uuid.UUID | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: Bilingual | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """A new, unsealed entry (the caller writes it in its transaction)."""
    return AuditEntry(
        id=new_id(),
        at=at,
        actor_id=actor_id,
        actor_role=actor_role,
        action=action,
        application_id=application_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason.as_dict() if reason else None,
        request_id=context.request_id.get(),
        details=details or {},
        seq=None,
        prev_hash=None,
        hash=None,
    )


async def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor_id: str,
    actor_role: str,
    action: str,
    application_id: uuid.UUID | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: Bilingual | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one entry to the use case's transaction, unsealed: no lock is shared with anyone."""
    audit_rows.add(
        session,
        entry(
            at=at,
            actor_id=actor_id,
            actor_role=actor_role,
            action=action,
            application_id=application_id,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            details=details,
        ),
    )


async def seal(session: AsyncSession, limit: int, *, wait: bool) -> int | None:
    """Seal up to ``limit`` committed entries; how many were, or None when another sealer is at it.

    The advisory lock keeps sealers of several replicas from queueing on the head
    row; the head row's lock alone keeps the chain linear. Entries are taken in
    the order ``(at, id)`` among those committed when the batch is read: one that
    commits late is sealed after entries written after it.
    """
    if not await audit_rows.take_sealer_lock(session, wait=wait):
        return None
    seq, previous = await audit_rows.lock_head(session)
    links: list[audit_rows.Link] = []
    for row in await audit_rows.unsealed(session, limit):
        seq += 1
        digest = chain_hash(previous, hashed_content(row, seq))
        links.append(audit_rows.Link(row.id, seq, previous, digest))
        previous = digest
    await audit_rows.seal(session, links)
    return len(links)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int
    hash: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CheckpointRound:
    published: Checkpoint | None
    next_due: datetime | None  # not worth asking before then; None: whenever the head moves


async def checkpoint(session: AsyncSession, now: datetime, every: timedelta) -> CheckpointRound:
    """Publish the chain head (``request.audit_checkpoint``) when it moved and ``every`` has passed.

    Under the sealer's lock (skipped when another replica holds it), so the head
    is stable and replicas do not publish twice; the checkpoint row and the event
    are written together, through the outbox.
    """
    if not await audit_rows.take_sealer_lock(session, wait=False):
        return CheckpointRound(None, None)
    last = await audit_rows.last_checkpoint(session)
    if last is not None and now - last.at < every:
        return CheckpointRound(None, last.at + every)
    seq, digest = await audit_rows.head(session)
    if seq == 0 or (last is not None and last.seq >= seq):
        return CheckpointRound(None, None)
    event = events.audit_checkpoint(
        seq, digest, now, None if last is None else (last.seq, last.hash)
    )
    audit_rows.add_checkpoint(
        session, AuditCheckpoint(seq=seq, hash=digest, at=now, event_id=event.id)
    )
    await outbox.record(session, event)
    return CheckpointRound(Checkpoint(seq, digest, now), now + every)


@dataclass(frozen=True, slots=True)
class StaleEntry:
    id: uuid.UUID
    at: datetime
    action: str
    application_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    head_seq: int
    broken: BrokenLink | None
    pending: int  # entries not sealed yet
    oldest_pending_at: datetime | None
    stale: int  # of which written more than the allowed delay ago
    first_stale: StaleEntry | None

    @property
    def ok(self) -> bool:
        return self.broken is None and self.stale == 0


async def verify(
    session: AsyncSession,
    now: datetime,
    stale_after: timedelta,
    checkpoint: tuple[int, str] | None = None,
) -> ChainReport:
    """Walk the sealed chain by ``seq``; report the first broken link and the waiting entries.

    The chain must pass through every checkpoint published so far and through
    ``checkpoint`` (a ``request.audit_checkpoint`` kept outside: it wins over the
    stored one, which a rewrite could have rewritten too).

    Call it first in its transaction: on PostgreSQL the walk runs in one REPEATABLE
    READ snapshot, so a seal committed meanwhile cannot look like a broken tail.
    """
    if is_postgres(session):
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    head_seq, head_hash = await audit_rows.head(session)
    published = await audit_rows.checkpoints(session)
    if checkpoint is not None:
        published[checkpoint[0]] = checkpoint[1]
    verifier = ChainVerifier(checkpoints=published)
    async for batch in audit_rows.sealed_in_order(session):
        verifier.feed(
            ChainedEntry(e.seq, hashed_content(e, e.seq), e.prev_hash or "", e.hash or "")
            for e in batch
        )
        if verifier.broken is not None:
            break
    broken = verifier.finish(head_seq, head_hash)
    waiting = await audit_rows.pending(session, now - stale_after)
    first = waiting.first_stale
    return ChainReport(
        checked=verifier.checked,
        head_seq=head_seq,
        broken=broken,
        pending=waiting.count,
        oldest_pending_at=waiting.oldest_at,
        stale=waiting.stale,
        first_stale=None
        if first is None
        else StaleEntry(first.id, first.at, first.action, first.application_id),
    )


AUDITOR = "auditor"


def require_auditor(principal: Principal, jurisdiction: str = "EG") -> None:
    if not principal.can(AUDITOR, jurisdiction):
        raise Problem(403, "forbidden", "this needs role: auditor (nationally for the whole chain)")


async def of_application(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID
) -> Sequence[AuditEntry]:
    """Sealed entries in chain order, then those still waiting for the sealer."""
    application = await applications.get(session, application_id)
    if application is None or not principal.can(
        (AUDITOR, "centre_manager"), application.jurisdiction
    ):
        raise Problem(404, "not_found")
    return await audit_rows.of_application(session, application_id)
