"""Sending an SMS from a template."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from mahaliyat.auth import CurrentPrincipal
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
    idempotency_key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            min_length=8,
            max_length=200,
            description="Required: a retry with the same key and body answers the first result.",
        ),
    ],
) -> JSONResponse:
    status, body = await sms.send(
        session, adapters, principal, request, idempotency_key=idempotency_key
    )
    return JSONResponse(body, status_code=status)
