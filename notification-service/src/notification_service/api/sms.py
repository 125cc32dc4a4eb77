"""Sending an SMS from a template."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.idempotency import RequiredIdempotencyKey, idempotent
from mahaliyat.web import Session
from notification_service.api.deps import PROBLEMS, AdaptersDep
from notification_service.schemas import Message, SendSms
from notification_service.services import sms

router = APIRouter(tags=["sms"])


@router.post(
    "/sms",
    status_code=201,
    response_model=Message,
    summary="Send an SMS from a template (partners with scope notifications:send)",
    responses=PROBLEMS,
)
async def send_sms(
    request: SendSms,
    principal: CurrentPrincipal,
    session: Session,
    adapters: AdaptersDep,
    idempotency_key: RequiredIdempotencyKey,
) -> Response:
    async def produce() -> Response:
        status, body = await sms.send(session, adapters, principal, request)
        return JSONResponse(body, status_code=status)

    return await idempotent(
        session, principal, idempotency_key, "POST /sms", request, produce, now=adapters.now()
    )
