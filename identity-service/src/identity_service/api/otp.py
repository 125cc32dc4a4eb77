"""Citizens' one-time codes: request one by SMS, exchange it for tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from identity_service.api.deps import AdaptersDep, ClientIp, kept, problem_responses
from identity_service.api.tokens_out import token_response
from identity_service.schemas import OtpChallengeOut, OtpRequest, OtpVerify, TokenOut
from identity_service.services import citizens, otp_verification
from mahaliyat import context
from mahaliyat.web import Session

router = APIRouter(prefix="/otp", tags=["citizens"])

_request_problems = problem_responses(422, 429)
_verify_problems = problem_responses(401, 404, 409, 410, 422)


@router.post(
    "/request",
    status_code=202,
    response_model=OtpChallengeOut,
    summary="Send a one-time code by SMS to the citizen's mobile",
    responses=_request_problems,
)
async def request_code(
    body: OtpRequest, session: Session, adapters: AdaptersDep, ip: ClientIp
) -> OtpChallengeOut:
    issued = await citizens.request_code(
        session,
        adapters,
        national_id=body.national_id,
        phone=body.phone,
        language=context.language.get(),
        client_ip=ip,
    )
    return OtpChallengeOut(challenge_id=issued.id, expires_at=issued.expires_at)


@router.post(
    "/verify",
    response_model=TokenOut,
    summary="Exchange the code for an access token and a refresh token",
    responses=_verify_problems,
)
async def verify_code(
    body: OtpVerify, request: Request, session: Session, adapters: AdaptersDep, ip: ClientIp
) -> Response:
    outcome = await kept(
        request,
        otp_verification.verify_code(
            session, adapters, challenge_id=body.challenge_id, code=body.code, client_ip=ip
        ),
    )
    if isinstance(outcome, Response):
        return outcome
    return token_response(outcome)
