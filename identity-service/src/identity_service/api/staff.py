"""Staff sign-in and password change."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from identity_service.api.deps import (
    AdaptersDep,
    Anonymous,
    ClientIp,
    StaffMember,
    caller_of,
    kept,
    problem_responses,
    session_id_of,
    subject_id,
)
from identity_service.api.tokens_out import token_response
from identity_service.schemas import PasswordChange, StaffLogin, TokenOut
from identity_service.services import staff_login
from mahaliyat.web import Session

router = APIRouter(prefix="/staff", tags=["staff"])


@router.post(
    "/login",
    response_model=TokenOut,
    summary="Sign in with username and password",
    responses=problem_responses(401, 422, 423),
)
async def login(
    body: StaffLogin, request: Request, session: Session, adapters: AdaptersDep, caller: Anonymous
) -> Response:
    outcome = await kept(
        request, staff_login.login(session, adapters, body.username, body.password, caller)
    )
    return outcome if isinstance(outcome, Response) else token_response(outcome)


@router.post(
    "/password",
    status_code=204,
    summary="Change one's own password; other sessions end",
    responses=problem_responses(401, 403, 422, 423),
)
async def change_password(
    body: PasswordChange,
    request: Request,
    session: Session,
    adapters: AdaptersDep,
    principal: StaffMember,
    ip: ClientIp,
) -> Response:
    outcome = await kept(
        request,
        staff_login.change_password(
            session,
            adapters,
            staff_id=subject_id(principal),
            session_id=session_id_of(principal),
            current_password=body.current_password,
            new_password=body.new_password,
            caller=caller_of(principal, ip),
        ),
    )
    return outcome if isinstance(outcome, Response) else Response(status_code=204)
