"""The audit trail: verifying the chain (auditor) and reading an application's entries."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.web import Session
from request_service.api.applications import PROBLEMS
from request_service.api.deps import AdaptersDep
from request_service.schemas import (
    AuditEntryOut,
    AuditVerification,
    BrokenLinkOut,
    StaleEntryOut,
)
from request_service.services import audit

router = APIRouter(tags=["audit"])


@router.get(
    "/audit/verify",
    response_model=AuditVerification,
    responses=PROBLEMS,
    summary="Recompute the hash chain: first broken link, entries not sealed yet (auditor)",
)
async def verify(
    session: Session, principal: CurrentPrincipal, adapters: AdaptersDep
) -> AuditVerification:
    audit.require_auditor(principal)
    stale_after = adapters.settings.audit_seal_stale_seconds
    report = await audit.verify(session, adapters.now(), timedelta(seconds=stale_after))
    broken, stale = report.broken, report.first_stale
    return AuditVerification(
        ok=report.ok,
        checked=report.checked,
        head_seq=report.head_seq,
        first_broken=None
        if broken is None
        else BrokenLinkOut(
            seq=broken.seq, problem=broken.problem, expected=broken.expected, found=broken.found
        ),
        pending=report.pending,
        oldest_pending_at=report.oldest_pending_at,
        stale=report.stale,
        stale_after_seconds=stale_after,
        first_stale=None
        if stale is None
        else StaleEntryOut(
            id=stale.id, at=stale.at, action=stale.action, application_id=stale.application_id
        ),
    )


@router.get(
    "/applications/{application_id}/audit",
    response_model=list[AuditEntryOut],
    responses=PROBLEMS,
    summary="Every audited action on one application, sealed or pending (auditor, centre manager)",
)
async def of_application(
    application_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> list[AuditEntryOut]:
    rows = await audit.of_application(session, principal, application_id)
    return [
        AuditEntryOut(
            seq=r.seq,
            sealed=r.seq is not None,
            id=r.id,
            at=r.at,
            actor_id=r.actor_id,
            actor_role=r.actor_role,
            action=r.action,
            application_id=r.application_id,
            from_state=r.from_state,
            to_state=r.to_state,
            reason=r.reason,
            request_id=r.request_id,
            details=r.details,
            hash=r.hash,
        )
        for r in rows
    ]
