"""Which mobile centres stop where: "which vehicles come to my city this week"."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from catalog_service.api.deps import ReadSession, read_query
from catalog_service.api.http_cache import READ_RESPONSES, cached_json_async
from catalog_service.api.params import openapi
from catalog_service.reads import stops
from catalog_service.schemas import MobileStops, StopsQuery

router = APIRouter(tags=["centres"])


@router.get(
    "/mobile-stops",
    response_model=MobileStops,
    summary="Mobile-centre stops in a city (subdivision) or governorate; default: the next 7 days",
    responses=READ_RESPONSES,
    openapi_extra=openapi(StopsQuery),
)
async def list_mobile_stops(request: Request, session: ReadSession) -> Response:
    read, query = await read_query(request, StopsQuery)
    window = stops.for_place(
        read.snapshot,
        subdivision=query.subdivision,
        governorate=query.governorate,
        start=query.start,
        days=query.days,
    )
    return await cached_json_async(
        read, window, lambda: stops.stops(session, read.snapshot, window)
    )
