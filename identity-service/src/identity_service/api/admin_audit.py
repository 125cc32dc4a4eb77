"""Admin: the audit trail (platform_admin)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from identity_service.api.deps import PlatformAdmin, problem_responses
from identity_service.schemas import AuditEntryOut, AuditPage
from identity_service.services import audit
from mahaliyat.web import Session, limiting

router = APIRouter(prefix="/admin/audit", tags=["admin: audit"])


@router.get(
    "",
    response_model=AuditPage,
    summary="Audit entries, newest first; page with next_before",
    responses=problem_responses(401, 403),
)
async def list_entries(
    session: Session,
    _admin: PlatformAdmin,
    limit: Annotated[int, Depends(limiting(default=100, maximum=500))],
    action: Annotated[str | None, Query(max_length=60)] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    target: Annotated[str | None, Query(max_length=200)] = None,
    before: uuid.UUID | None = None,
) -> AuditPage:
    entries = await audit.list_entries(
        session, action=action, actor=actor, target=target, before=before, limit=limit
    )
    items = [AuditEntryOut.model_validate(e, from_attributes=True) for e in entries]
    return AuditPage(items=items, next_before=items[-1].id if len(items) == limit else None)
