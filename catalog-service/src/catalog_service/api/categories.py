"""Service categories with their counts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from catalog_service.api.deps import reading
from catalog_service.api.http_cache import READ_RESPONSES, cached_json
from catalog_service.reads import services as reads
from catalog_service.schemas import CategoryOut

router = APIRouter(tags=["services"])


@router.get(
    "/categories",
    response_model=list[CategoryOut],
    summary="Categories in display order, with how many active (and online) services each has",
    responses=READ_RESPONSES,
)
async def list_categories(request: Request) -> Response:
    read = await reading(request)
    return cached_json(read, ("categories",), lambda: reads.categories(read.snapshot))
