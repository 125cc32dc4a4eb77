"""Status by tracking number: the public inquiry, and the service inquiry for notification-service."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.problems import PROBLEM_JSON, Problem
from request_service.api.deps import AdaptersDep, client_ip, json_response, read_connection
from request_service.schemas import PublicStatus, ServiceInquiry, StatusInquiryIn
from request_service.services import reading

router = APIRouter(tags=["status"])


@router.post(
    "/status",
    response_model=PublicStatus,
    responses={404: {"content": {PROBLEM_JSON: {}}}, 429: {"content": {PROBLEM_JSON: {}}}},
    summary="Public status inquiry: tracking number + last four digits of the national ID",
)
async def public_status(body: StatusInquiryIn, request: Request, adapters: AdaptersDep) -> Response:
    retry_after = adapters.inquiry_limiter.hit(
        client_ip(request, adapters.settings.trusted_proxies)
    )
    if retry_after is not None:
        raise Problem(
            429,
            "too_many_inquiries",
            "too many status inquiries; try again later",
            headers={"Retry-After": str(max(1, round(retry_after)))},
        )
    async with read_connection(request) as db:
        found = await reading.public_status(db, body.tracking_number, body.national_id_last4)
    return json_response(found)


@router.get(
    "/inquiry/{tracking_number}",
    response_model=ServiceInquiry,
    responses={403: {"content": {PROBLEM_JSON: {}}}, 404: {"content": {PROBLEM_JSON: {}}}},
    summary="Status for a platform service (kind service, scope requests:status), e.g. SMS replies",
)
async def service_inquiry(
    tracking_number: str, request: Request, principal: CurrentPrincipal
) -> Response:
    reading.require_status_caller(principal)
    async with read_connection(request) as db:
        found = await reading.service_inquiry(db, principal, tracking_number)
    return json_response(found)
