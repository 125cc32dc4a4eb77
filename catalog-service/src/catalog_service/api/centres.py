"""Technology centres: the filtered list, one centre, a mobile centre's schedule; opening,
changing and scheduling centres (admins)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from catalog_service.api.deps import (
    CatalogAdmin,
    ReadModel,
    ReadSession,
    Settings,
    read_query,
    reading,
)
from catalog_service.api.http_cache import READ_RESPONSES, cached_json, cached_json_async
from catalog_service.api.params import openapi
from catalog_service.api.services import WRITE_RESPONSES
from catalog_service.reads import centres as reads
from catalog_service.reads import stops
from catalog_service.reads.representations import centre_out
from catalog_service.schemas import (
    CentreCreate,
    CentreOut,
    CentrePage,
    CentreQuery,
    CentreUpdate,
    MobileStops,
    ScheduleQuery,
    ScheduleReplace,
)
from catalog_service.writes import centres as writes
from mahaliyat.idempotency import IdempotencyKey
from mahaliyat.web import Session

router = APIRouter(tags=["centres"])


@router.get(
    "/centres",
    response_model=CentrePage,
    summary="Centres by code, filtered and paged",
    responses=READ_RESPONSES,
    openapi_extra=openapi(CentreQuery),
)
async def list_centres(request: Request) -> Response:
    read, query = await read_query(request, CentreQuery)
    filters = reads.CentreFilters.read(read.snapshot, query)
    return cached_json(
        read,
        filters,
        lambda: reads.list_centres(read.snapshot, filters, read.settings.public_base_url),
    )


@router.get(
    "/centres/{code}",
    response_model=CentreOut,
    summary="One centre",
    responses=READ_RESPONSES,
)
async def get_centre(code: str, request: Request) -> Response:
    read = await reading(request)
    centre = reads.find_centre(read.snapshot, code)
    return cached_json(
        read, ("centre", centre.code), lambda: centre_out(centre, read.settings.public_base_url)
    )


@router.get(
    "/centres/{code}/schedule",
    response_model=MobileStops,
    summary="A mobile centre's stops: day, hours, place and city",
    responses=READ_RESPONSES,
    openapi_extra=openapi(ScheduleQuery),
)
async def mobile_schedule(code: str, request: Request, session: ReadSession) -> Response:
    read, query = await read_query(request, ScheduleQuery)
    window = stops.for_centre(read.snapshot, code, query.start, query.days)
    return await cached_json_async(
        read, window, lambda: stops.stops(session, read.snapshot, window)
    )


CENTRE_WRITE_RESPONSES = {
    **WRITE_RESPONSES,
    403: {"description": "Needs `catalog_admin`", "content": WRITE_RESPONSES[403]["content"]},
    404: {
        **WRITE_RESPONSES[404],
        "description": "Unknown centre, or outside the admin's jurisdiction",
    },
}


@router.post(
    "/centres",
    response_model=CentreOut,
    status_code=201,
    summary="Open a centre (admins of its governorate, or markaz for a fixed centre, or above)",
    responses={
        **CENTRE_WRITE_RESPONSES,
        404: {
            **WRITE_RESPONSES[404],
            "description": "The code's governorate or markaz is outside the admin's jurisdiction",
        },
        409: {**WRITE_RESPONSES[409], "description": "A centre with this code exists"},
    },
)
async def open_centre(
    body: CentreCreate,
    session: Session,
    read_model: ReadModel,
    admin: CatalogAdmin,
    settings: Settings,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return await writes.create(
        session, read_model, admin, body, idempotency_key, settings.public_base_url
    )


@router.put(
    "/centres/{code}/schedule",
    response_model=MobileStops,
    summary="Replace a mobile centre's stops on the days [from, to); days left out have none",
    responses={
        **CENTRE_WRITE_RESPONSES,
        404: {
            **WRITE_RESPONSES[404],
            "description": "Unknown centre, not a mobile centre, or outside the admin's jurisdiction",
        },
    },
)
async def replace_schedule(
    code: str,
    body: ScheduleReplace,
    session: Session,
    read_model: ReadModel,
    admin: CatalogAdmin,
) -> Response:
    answer = await writes.replace_schedule(session, read_model, admin, code, body)
    return JSONResponse(answer.model_dump(mode="json", by_alias=True))


@router.patch(
    "/centres/{code}",
    response_model=CentreOut,
    summary="Change a centre (admins of its governorate or above); only the fields sent change",
    responses=CENTRE_WRITE_RESPONSES,
)
async def update_centre(
    code: str,
    body: CentreUpdate,
    session: Session,
    read_model: ReadModel,
    admin: CatalogAdmin,
    settings: Settings,
) -> CentreOut:
    return await writes.update(session, read_model, admin, code, body, settings.public_base_url)
