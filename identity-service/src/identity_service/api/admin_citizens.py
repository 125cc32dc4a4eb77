"""Admin: bind a citizen's national ID to the phone they showed in person (platform_admin)."""

from __future__ import annotations

from fastapi import APIRouter

from identity_service.api.deps import (
    AdaptersDep,
    ClientIp,
    PlatformAdmin,
    caller_of,
    problem_responses,
)
from identity_service.schemas import CitizenPhoneBind, CitizenPhoneBound
from identity_service.services import citizens
from mahaliyat.web import Session

router = APIRouter(prefix="/admin/citizens", tags=["admin: citizens"])


@router.post(
    "/phone-binding",
    response_model=CitizenPhoneBound,
    summary="Bind (or rebind) a national ID to a phone; the old phone's sessions end",
    responses=problem_responses(401, 403, 422),
)
async def bind_phone(
    body: CitizenPhoneBind,
    session: Session,
    adapters: AdaptersDep,
    admin: PlatformAdmin,
    ip: ClientIp,
) -> CitizenPhoneBound:
    # The national ID travels in the body, not the path, so access logs never hold it.
    bound = await citizens.bind_phone(
        session,
        adapters,
        national_id=body.national_id,
        phone=body.phone,
        reason=body.reason,
        caller=caller_of(admin, ip),
    )
    citizen = bound.citizen
    return CitizenPhoneBound(
        id=citizen.id,
        national_id=citizen.national_id,
        phone=citizen.phone,
        created_at=citizen.created_at,
        last_login_at=citizen.last_login_at,
        created=bound.created,
        changed=bound.changed,
        sessions_ended=bound.sessions_ended,
    )
