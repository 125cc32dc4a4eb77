"""The caller's own session: who am I, sign out."""

from __future__ import annotations

from fastapi import APIRouter, Response

from identity_service.api.deps import AdaptersDep, problem_responses, session_id_of
from identity_service.schemas import GrantOut, Logout, Me
from identity_service.services import sessions
from mahaliyat.auth import CurrentPrincipal
from mahaliyat.web import Session

router = APIRouter(tags=["sessions"])


@router.get(
    "/me",
    response_model=Me,
    summary="The verified caller, as its token says",
    responses=problem_responses(401),
)
async def me(principal: CurrentPrincipal) -> Me:
    sid = session_id_of(principal)
    return Me(
        subject=principal.subject,
        kind=principal.kind,
        grants=[GrantOut(role=g.role, jurisdiction=g.jurisdiction) for g in principal.grants],
        scope=" ".join(sorted(principal.scopes)),
        session_id=str(sid) if sid else None,
    )


@router.post(
    "/logout",
    status_code=204,
    summary="Sign out: the session's refresh tokens stop working",
    responses=problem_responses(401),
)
async def logout(
    principal: CurrentPrincipal,
    session: Session,
    adapters: AdaptersDep,
    body: Logout | None = None,
) -> Response:
    now = adapters.clock()
    families = {session_id_of(principal)}
    if body is not None and body.refresh_token:
        # Only a token of the caller's own sessions: one cannot sign others out.
        family = await sessions.refresh_token_family(session, body.refresh_token)
        if family is not None and await sessions.family_subject(session, family) == (
            principal.kind,
            principal.subject,
        ):
            families.add(family)
    for family_id in families - {None}:
        assert family_id is not None
        await sessions.revoke_family(session, family_id, "logout", now)
    return Response(status_code=204)
