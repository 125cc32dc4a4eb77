"""The audit trail: verifying the chain (auditor) and reading an application's entries."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.problems import Problem, field_error
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
    description="Pass a published request.audit_checkpoint (seq and hash) to check the chain "
    "still passes through it.",
)
async def verify(
    session: Session,
    principal: CurrentPrincipal,
    adapters: AdaptersDep,
    checkpoint_seq: Annotated[
        int | None, Query(ge=1, description="a published checkpoint's seq (with its hash)")
    ] = None,
    checkpoint_hash: Annotated[
        str | None,
        Query(pattern="^[0-9a-f]{64}$", description="the hash that checkpoint published"),
    ] = None,
) -> AuditVerification:
    audit.require_auditor(principal)
    if (checkpoint_seq is None) != (checkpoint_hash is None):
        missing = "checkpoint_hash" if checkpoint_hash is None else "checkpoint_seq"
        raise Problem(
            422,
            "validation_failed",
            errors=[field_error(missing, "required", "a checkpoint is a seq and its hash")],
        )
    checkpoint = (
        (checkpoint_seq, checkpoint_hash)
        if checkpoint_seq is not None and checkpoint_hash is not None
        else None
    )
    stale_after = adapters.settings.audit_seal_stale_seconds
    report = await audit.verify(session, adapters.now(), timedelta(seconds=stale_after), checkpoint)
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
