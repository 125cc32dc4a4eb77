"""Appending to the hash-chained audit log, and verifying it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from mahaliyat import context
from mahaliyat.auth import Principal
from mahaliyat.ids import new_id
from mahaliyat.problems import Problem
from request_service.domain.audit import BrokenLink, ChainedEntry, ChainVerifier, chain_hash
from request_service.domain.text import Bilingual
from request_service.models import AuditEntry
from request_service.queries import applications
from request_service.queries import audit as audit_rows


def _content(entry: AuditEntry) -> dict[str, Any]:
    """What the hash covers: every column but the two hashes."""
    return {
        "seq": entry.seq,
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
    """Queue one entry; it is chained and written just before the transaction commits.

    Linking at commit time keeps the head row locked (appends serialised) for the
    shortest possible time: two statements and the COMMIT, whatever the use case did.
    """
    entry = AuditEntry(
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
    )
    pending: list[AuditEntry] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        event.listen(session.sync_session, "before_commit", _chain_pending, once=True)
    pending.append(entry)


_PENDING = "request_audit_pending"


def _chain_pending(sync_session: Session) -> None:
    """Before COMMIT: lock the head, link the queued entries, move the head."""
    pending: list[AuditEntry] = sync_session.info.pop(_PENDING, [])
    if not pending:
        return
    first, previous = audit_rows.reserve_sync(sync_session, len(pending))
    for seq, entry in enumerate(pending, start=first):
        entry.seq = seq
        entry.prev_hash = previous
        entry.hash = previous = chain_hash(previous, _content(entry))
    audit_rows.write_sync(sync_session, pending, previous)


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    head_seq: int
    broken: BrokenLink | None


async def verify(session: AsyncSession) -> ChainReport:
    verifier = ChainVerifier()
    async for batch in audit_rows.in_order(session):
        verifier.feed(ChainedEntry(e.seq, _content(e), e.prev_hash, e.hash) for e in batch)
        if verifier.broken is not None:
            break
    head = await audit_rows.head(session)
    head_seq, head_hash = (head.seq, head.hash) if head is not None else (0, "0" * 64)
    broken = verifier.finish(head_seq, head_hash)
    return ChainReport(verifier.checked, head_seq, broken)


AUDITOR = "auditor"


def require_auditor(principal: Principal, jurisdiction: str = "EG") -> None:
    if not principal.can(AUDITOR, jurisdiction):
        raise Problem(403, "forbidden", "this needs role: auditor (nationally for the whole chain)")


async def of_application(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID
) -> Sequence[AuditEntry]:
    application = await applications.get(session, application_id)
    if application is None or not principal.can(
        (AUDITOR, "centre_manager"), application.jurisdiction
    ):
        raise Problem(404, "not_found")
    return await audit_rows.of_application(session, application_id)
