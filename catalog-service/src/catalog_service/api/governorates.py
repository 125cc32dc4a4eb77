"""Governorates and their markaz/cities/districts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from catalog_service.api.deps import reading
from catalog_service.api.http_cache import READ_RESPONSES, cached_json
from catalog_service.reads import centres as reads
from catalog_service.schemas import GovernorateOut, SubdivisionOut

router = APIRouter(tags=["geography"])


@router.get(
    "/governorates",
    response_model=list[GovernorateOut],
    summary="The 27 governorates, by national-ID code",
    responses=READ_RESPONSES,
)
async def list_governorates(request: Request) -> Response:
    read = await reading(request)
    return cached_json(read, ("governorates",), lambda: reads.governorates(read.snapshot))


@router.get(
    "/governorates/{code}",
    response_model=GovernorateOut,
    summary="One governorate",
    responses=READ_RESPONSES,
)
async def get_governorate(code: str, request: Request) -> Response:
    read = await reading(request)
    found = reads.find_governorate(read.snapshot, code)
    return cached_json(
        read, ("governorate", found), lambda: reads.governorate(read.snapshot, found)
    )


@router.get(
    "/governorates/{code}/subdivisions",
    response_model=list[SubdivisionOut],
    summary="A governorate's markaz/cities/districts",
    responses=READ_RESPONSES,
)
async def list_subdivisions(code: str, request: Request) -> Response:
    read = await reading(request)
    found = reads.find_governorate(read.snapshot, code)
    return cached_json(
        read, ("subdivisions", found), lambda: reads.subdivisions(read.snapshot, found)
    )
