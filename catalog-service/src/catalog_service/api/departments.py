"""Back-office departments that services are routed to."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from catalog_service.api.deps import reading
from catalog_service.api.http_cache import READ_RESPONSES, cached_json
from catalog_service.reads.representations import department_ref
from catalog_service.schemas import CodeName

router = APIRouter(tags=["services"])


@router.get(
    "/departments",
    response_model=list[CodeName],
    summary="Back-office departments (the codes a service definition names)",
    responses=READ_RESPONSES,
)
async def list_departments(request: Request) -> Response:
    read = await reading(request)
    return cached_json(
        read,
        ("departments",),
        lambda: [department_ref(d, d.code) for d in read.snapshot.departments.values()],
    )
