"""Services: list, detail with fees, quote; publishing, replacing and retiring (admins)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from catalog_service import inputs
from catalog_service.api.deps import CatalogAdmin, Catalogue, ReadModel, read_query
from catalog_service.api.http_cache import READ_RESPONSES, cached_json
from catalog_service.api.params import openapi
from catalog_service.reads import services as reads
from catalog_service.schemas import (
    FeesQuery,
    QuoteIn,
    QuoteOut,
    ServiceCreate,
    ServiceDefinitionIn,
    ServiceDetail,
    ServicePage,
    ServiceQuery,
)
from catalog_service.writes import services as writes
from mahaliyat.idempotency import IdempotencyKey
from mahaliyat.problems import PROBLEM_JSON
from mahaliyat.web import Session

router = APIRouter(tags=["services"])

WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid bearer token", "content": {PROBLEM_JSON: {}}},
    403: {"description": "Needs a national `catalog_admin`", "content": {PROBLEM_JSON: {}}},
    404: {"description": "Unknown service", "content": {PROBLEM_JSON: {}}},
    409: {"description": "Conflicts with the catalogue", "content": {PROBLEM_JSON: {}}},
    422: {"description": "Invalid field, named in `errors`", "content": {PROBLEM_JSON: {}}},
}


@router.get(
    "/services",
    response_model=ServicePage,
    summary="Services in catalogue order, filtered and paged",
    responses=READ_RESPONSES,
    openapi_extra=openapi(ServiceQuery),
)
async def list_services(request: Request) -> Response:
    read, query = await read_query(request, ServiceQuery)
    filters = reads.ServiceFilters.read(read.snapshot, query)
    return cached_json(read, filters, lambda: reads.list_services(read.snapshot, filters))


@router.get(
    "/services/{code}",
    response_model=ServiceDetail,
    summary="One service, with the fees in effect in a governorate on a date",
    responses=READ_RESPONSES,
    openapi_extra=openapi(FeesQuery),
)
async def get_service(code: str, request: Request) -> Response:
    read, query = await read_query(request, FeesQuery)
    snapshot = read.snapshot
    service = reads.find_service(snapshot, code)
    where = inputs.governorate(query.governorate, snapshot.governorates)
    day = inputs.parse_date(query.on, "on") or inputs.today()
    return cached_json(
        read,
        ("service", service.code, where, day),
        lambda: reads.service_detail(snapshot, service, where, day),
    )


@router.post(
    "/services/{code}/quote",
    response_model=QuoteOut,
    summary="The fees for given form inputs (e.g. an area) in a governorate on a date",
    responses={
        404: READ_RESPONSES[404],
        422: {"description": "A missing or invalid input", "content": {PROBLEM_JSON: {}}},
    },
)
async def quote(code: str, body: QuoteIn, snapshot: Catalogue) -> QuoteOut:
    return reads.quote_for(snapshot, reads.find_service(snapshot, code), body)


@router.post(
    "/services",
    response_model=ServiceDetail,
    status_code=201,
    summary="Publish a new service (national catalogue admin)",
    responses=WRITE_RESPONSES,
)
async def publish_service(
    body: ServiceCreate,
    session: Session,
    read_model: ReadModel,
    admin: CatalogAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return await writes.publish(session, read_model, admin, body, idempotency_key)


@router.put(
    "/services/{code}",
    response_model=ServiceDetail,
    summary="Replace a service's definition (national catalogue admin)",
    responses=WRITE_RESPONSES,
)
async def replace_service(
    code: str,
    body: ServiceDefinitionIn,
    session: Session,
    read_model: ReadModel,
    admin: CatalogAdmin,
) -> ServiceDetail:
    return await writes.change(session, read_model, admin, code, body)


@router.post(
    "/services/{code}/retire",
    response_model=ServiceDetail,
    summary="Retire a service: it stays readable but leaves lists, search and centres",
    responses=WRITE_RESPONSES,
)
async def retire_service(
    code: str, session: Session, read_model: ReadModel, admin: CatalogAdmin
) -> ServiceDetail:
    return await writes.retire(session, read_model, admin, code)
