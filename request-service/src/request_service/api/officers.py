"""The officer registry: which department a back-office officer serves, and where."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.web import Session
from request_service.api.applications import PROBLEMS
from request_service.api.deps import AdaptersDep
from request_service.schemas import HandoverOut, OfficerDeactivated, OfficerIn, OfficerOut
from request_service.services import assignment

router = APIRouter(prefix="/officers", tags=["officers"])


def _out(rows: list[object]) -> list[OfficerOut]:
    return [OfficerOut.model_validate(r, from_attributes=True) for r in rows]


@router.put(
    "/{officer_id}",
    response_model=list[OfficerOut],
    responses=PROBLEMS,
    summary="Register a back-office officer's departments and jurisdiction (centre manager)",
    description="Open applications the officer no longer serves go to the least-loaded officer who does.",
)
async def register(
    officer_id: Annotated[str, Path(min_length=1, max_length=200)],
    body: OfficerIn,
    session: Session,
    principal: CurrentPrincipal,
    adapters: AdaptersDep,
) -> list[OfficerOut]:
    rows, _handovers = await assignment.register_officer(
        session, adapters, principal, officer_id, body
    )
    return _out(list(rows))


@router.post(
    "/{officer_id}/deactivate",
    response_model=OfficerDeactivated,
    responses=PROBLEMS,
    summary="Deactivate an officer; their open applications go to the least loaded (centre manager)",
)
async def deactivate(
    officer_id: Annotated[str, Path(min_length=1, max_length=200)],
    session: Session,
    principal: CurrentPrincipal,
    adapters: AdaptersDep,
) -> OfficerDeactivated:
    rows, handovers = await assignment.deactivate_officer(session, adapters, principal, officer_id)
    return OfficerDeactivated(
        registrations=_out(list(rows)),
        reassigned=[
            HandoverOut(
                application_id=h.application_id,
                tracking_number=h.tracking_number,
                to_officer=h.to_officer,
            )
            for h in handovers
        ],
    )


@router.get(
    "", response_model=list[OfficerOut], responses=PROBLEMS, summary="Officers in my jurisdiction"
)
async def listed(
    session: Session,
    principal: CurrentPrincipal,
    department: Annotated[str | None, Query(max_length=40)] = None,
) -> list[OfficerOut]:
    return _out(list(await assignment.listed_officers(session, principal, department)))
