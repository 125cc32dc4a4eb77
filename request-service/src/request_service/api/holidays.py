"""The public holidays the SLA calendar counts: Egypt's seeded ones with the admins' decisions."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.web import Session
from request_service.api.applications import PROBLEMS
from request_service.api.deps import AdaptersDep
from request_service.schemas import HolidayIn, HolidayOut, Text
from request_service.services import holidays

router = APIRouter(prefix="/holidays", tags=["holidays"])


@router.get("", response_model=list[HolidayOut], summary="Public holidays (no working day)")
async def listed(
    session: Session,
    adapters: AdaptersDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[HolidayOut]:
    return [
        HolidayOut(day=h.day, name=Text(ar=h.name_ar, en=h.name_en), approximate=h.estimated)
        for h in await holidays.listed(session, adapters, year)
    ]


@router.put("/{day}", status_code=204, responses=PROBLEMS, summary="Set a holiday (platform admin)")
async def put(
    day: date, body: HolidayIn, session: Session, principal: CurrentPrincipal, adapters: AdaptersDep
) -> Response:
    await holidays.put(session, adapters, principal, day, body)
    return Response(status_code=204)


@router.delete(
    "/{day}", status_code=204, responses=PROBLEMS, summary="Remove a holiday (platform admin)"
)
async def remove(
    day: date, session: Session, principal: CurrentPrincipal, adapters: AdaptersDep
) -> Response:
    await holidays.remove(session, adapters, principal, day)
    return Response(status_code=204)
