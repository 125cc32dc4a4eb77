"""Search as people type: Arabic (diacritics, tatweel, letter variants, Arabic-Indic digits) and English."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from catalog_service.api.deps import read_query
from catalog_service.api.http_cache import READ_RESPONSES, cached_json
from catalog_service.api.params import openapi
from catalog_service.reads import services as reads
from catalog_service.schemas import SearchQuery, SearchResults

router = APIRouter(tags=["services"])


@router.get(
    "/search",
    response_model=SearchResults,
    summary="Active services ranked by how well they answer `q`",
    responses=READ_RESPONSES,
    openapi_extra=openapi(SearchQuery),
)
async def search(request: Request) -> Response:
    read, query = await read_query(request, SearchQuery)
    return cached_json(read, query, lambda: reads.search(read.snapshot, query.q, query.limit))
