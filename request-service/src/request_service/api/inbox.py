"""The staff inbox (by role, department and jurisdiction) and the centre manager's escalations."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.web import PageParams, Session, paging
from request_service.api.applications import PROBLEMS
from request_service.api.deps import AdaptersDep
from request_service.domain.workflow import State
from request_service.queries.applications import SlaFilter
from request_service.schemas import EscalationOut, Inbox
from request_service.services import reading
from request_service.services.reading import InboxRole

router = APIRouter(tags=["inbox"])


@router.get(
    "/inbox",
    response_model=Inbox,
    responses=PROBLEMS,
    summary="Applications for me to handle, with counts per state",
)
async def inbox(
    session: Session,
    principal: CurrentPrincipal,
    adapters: AdaptersDep,
    page: Annotated[PageParams, Depends(paging(max_limit=100))],
    role: Annotated[
        InboxRole | None, Query(description="which of my roles (default: the first I hold)")
    ] = None,
    state: Annotated[list[State] | None, Query()] = None,
    service: Annotated[str | None, Query(max_length=40)] = None,
    sla: Annotated[SlaFilter | None, Query(description="nearing, breached or on_track")] = None,
    assigned: Annotated[Literal["me", "unassigned"] | None, Query()] = None,
) -> Inbox:
    return await reading.inbox(
        session,
        adapters,
        principal,
        role=role,
        states=state or [],
        service_code=service,
        sla=sla,
        assigned=assigned,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/escalations",
    response_model=list[EscalationOut],
    responses=PROBLEMS,
    summary="Breached applications escalated to me (centre manager)",
)
async def escalations(
    session: Session,
    principal: CurrentPrincipal,
    page: Annotated[PageParams, Depends(paging(max_limit=100))],
) -> list[EscalationOut]:
    return await reading.escalated(session, principal, page.limit, page.offset)
