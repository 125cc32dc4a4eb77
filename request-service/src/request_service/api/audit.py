"""The audit trail: verifying the chain (auditor) and reading an application's entries."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.web import Session
from request_service.api.applications import PROBLEMS
from request_service.schemas import AuditEntryOut, AuditVerification, BrokenLinkOut
from request_service.services import audit

router = APIRouter(tags=["audit"])


@router.get(
    "/audit/verify",
    response_model=AuditVerification,
    responses=PROBLEMS,
    summary="Recompute the hash chain and report the first broken link (auditor)",
)
async def verify(session: Session, principal: CurrentPrincipal) -> AuditVerification:
    audit.require_auditor(principal)
    report = await audit.verify(session)
    broken = report.broken
    return AuditVerification(
        ok=broken is None,
        checked=report.checked,
        head_seq=report.head_seq,
        first_broken=None
        if broken is None
        else BrokenLinkOut(
            seq=broken.seq, problem=broken.problem, expected=broken.expected, found=broken.found
        ),
    )


@router.get(
    "/applications/{application_id}/audit",
    response_model=list[AuditEntryOut],
    responses=PROBLEMS,
    summary="Every audited action on one application (auditor, centre manager)",
)
async def of_application(
    application_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> list[AuditEntryOut]:
    rows = await audit.of_application(session, principal, application_id)
    return [AuditEntryOut.model_validate(r, from_attributes=True) for r in rows]
