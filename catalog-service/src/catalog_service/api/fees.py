"""Fee schedules of a service: history (public); adding one, closing a period and withdrawing
one not yet started (admins)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from catalog_service import inputs
from catalog_service.api.deps import CatalogAdmin, ReadModel, read_query
from catalog_service.api.http_cache import READ_RESPONSES, cached_json
from catalog_service.api.params import openapi
from catalog_service.api.services import WRITE_RESPONSES
from catalog_service.reads import fees as reads
from catalog_service.reads.services import find_service
from catalog_service.schemas import (
    FeeScheduleClose,
    FeeScheduleIn,
    FeeScheduleList,
    FeeScheduleOut,
    ScheduleHistoryQuery,
)
from catalog_service.writes import fees as writes
from mahaliyat.idempotency import IdempotencyKey
from mahaliyat.web import Session

router = APIRouter(tags=["fees"])

FEE_WRITE_RESPONSES = {
    **WRITE_RESPONSES,
    403: {
        "description": "National defaults need a national `catalog_admin`",
        "content": WRITE_RESPONSES[403]["content"],
    },
    404: {
        "description": "Unknown service or schedule, or a governorate outside the admin's jurisdiction",
        "content": WRITE_RESPONSES[404]["content"],
    },
    409: {
        "description": "The period overlaps another schedule of the same service and governorate "
        "(`fee_period_overlap`), or the schedule was withdrawn (`fee_schedule_withdrawn`) or has "
        "started (`fee_schedule_started`)",
        "content": WRITE_RESPONSES[409]["content"],
    },
}


@router.get(
    "/services/{code}/fee-schedules",
    response_model=FeeScheduleList,
    summary="Every fee schedule of a service, national and per governorate, with their periods",
    responses=READ_RESPONSES,
    openapi_extra=openapi(ScheduleHistoryQuery),
)
async def list_fee_schedules(code: str, request: Request) -> Response:
    read, query = await read_query(request, ScheduleHistoryQuery)
    service = find_service(read.snapshot, code)
    where = inputs.governorate(query.governorate, read.snapshot.governorates)
    return cached_json(
        read,
        ("fee_schedules", service.code, where),
        lambda: reads.history(read.snapshot, service.code, where),
    )


@router.post(
    "/services/{code}/fee-schedules",
    response_model=FeeScheduleOut,
    status_code=201,
    summary="Add a fee schedule: the national default (`governorate: null`) or an override",
    responses=FEE_WRITE_RESPONSES,
)
async def add_fee_schedule(
    code: str,
    body: FeeScheduleIn,
    session: Session,
    read_model: ReadModel,
    admin: CatalogAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return await writes.add(session, read_model, admin, code, body, idempotency_key)


@router.post(
    "/services/{code}/fee-schedules/{schedule_id}/close",
    response_model=FeeScheduleOut,
    summary="End a schedule's period on a day (today or later; periods only shorten)",
    responses=FEE_WRITE_RESPONSES,
)
async def close_fee_schedule(
    code: str,
    schedule_id: uuid.UUID,
    body: FeeScheduleClose,
    session: Session,
    read_model: ReadModel,
    admin: CatalogAdmin,
) -> FeeScheduleOut:
    return await writes.close(session, read_model, admin, code, schedule_id, body)


@router.post(
    "/services/{code}/fee-schedules/{schedule_id}/withdraw",
    response_model=FeeScheduleOut,
    summary="Withdraw a schedule before its first day (it never applied); again: the same answer",
    responses=FEE_WRITE_RESPONSES,
)
async def withdraw_fee_schedule(
    code: str,
    schedule_id: uuid.UUID,
    session: Session,
    read_model: ReadModel,
    admin: CatalogAdmin,
) -> FeeScheduleOut:
    return await writes.withdraw(session, read_model, admin, code, schedule_id)
