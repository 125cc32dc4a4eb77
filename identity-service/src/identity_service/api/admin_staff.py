"""Admin: staff accounts, their grants, locks and passwords (platform_admin)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import Adapters
from identity_service.api.deps import (
    AdaptersDep,
    ClientIp,
    PlatformAdmin,
    caller_of,
    create_once,
    problem_responses,
)
from identity_service.domain.roles import RoleGrant
from identity_service.models import StaffUser
from identity_service.schemas import (
    GrantIn,
    GrantOut,
    GrantsSet,
    StaffCreate,
    StaffCreated,
    StaffOut,
    StaffPage,
    StaffPassword,
)
from identity_service.services import staff, staff_login
from mahaliyat.idempotency import IdempotencyKey
from mahaliyat.web import Page, Session

router = APIRouter(prefix="/admin/staff", tags=["admin: staff"])
_problems = problem_responses(401, 403, 404, 409, 422)


async def view(session: AsyncSession, adapters: Adapters, user: StaffUser) -> StaffOut:
    return StaffOut(
        id=user.id,
        username=user.username,
        full_name_ar=user.full_name_ar,
        full_name_en=user.full_name_en,
        grants=[GrantOut(role=g.role, jurisdiction=g.jurisdiction) for g in user.grants],
        created_at=user.created_at,
        last_login_at=user.last_login_at,
        password_changed_at=user.password_changed_at,
        disabled=user.disabled_at is not None,
        locked_until=await staff_login.locked_until(session, adapters, user, adapters.clock()),
    )


def _grants(grants: list[GrantIn]) -> list[RoleGrant]:
    return [RoleGrant(g.role, g.jurisdiction) for g in grants]


@router.post(
    "",
    status_code=201,
    response_model=StaffCreated,
    summary="Create a staff account (a password is generated when none is given)",
    responses=_problems,
)
async def create(
    body: StaffCreate,
    request: Request,
    session: Session,
    adapters: AdaptersDep,
    admin: PlatformAdmin,
    ip: ClientIp,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def make() -> StaffCreated:
        user, generated = await staff.create_staff(
            session,
            adapters,
            username=body.username,
            full_name_ar=body.full_name_ar,
            full_name_en=body.full_name_en,
            password=body.password,
            grants=_grants(body.grants),
            caller=caller_of(admin, ip),
        )
        shown = await view(session, adapters, user)
        return StaffCreated(**shown.model_dump(), initial_password=generated)

    return await create_once(request, session, adapters, admin, idempotency_key, body, make)


@router.get("", response_model=StaffPage, summary="List staff accounts", responses=_problems)
async def list_staff(
    session: Session,
    adapters: AdaptersDep,
    _admin: PlatformAdmin,
    page: Page,
    q: Annotated[
        str | None, Query(max_length=100, description="part of a username or name")
    ] = None,
) -> StaffPage:
    users, total = await staff.list_staff(session, search=q, limit=page.limit, offset=page.offset)
    return StaffPage(items=[await view(session, adapters, u) for u in users], total=total)


@router.get(
    "/{staff_id}", response_model=StaffOut, summary="One staff account", responses=_problems
)
async def get(
    staff_id: uuid.UUID, session: Session, adapters: AdaptersDep, _admin: PlatformAdmin
) -> StaffOut:
    return await view(session, adapters, await staff.get_staff(session, staff_id))


@router.put(
    "/{staff_id}/grants",
    response_model=StaffOut,
    summary="Replace the account's roles and jurisdictions",
    responses=_problems,
)
async def set_grants(
    staff_id: uuid.UUID,
    body: GrantsSet,
    session: Session,
    adapters: AdaptersDep,
    admin: PlatformAdmin,
    ip: ClientIp,
) -> StaffOut:
    user = await staff.set_grants(
        session, adapters, staff_id, _grants(body.grants), caller_of(admin, ip)
    )
    return await view(session, adapters, user)


@router.post(
    "/{staff_id}/disable",
    response_model=StaffOut,
    summary="Disable the account and end its sessions",
    responses=_problems,
)
async def disable(
    staff_id: uuid.UUID, session: Session, adapters: AdaptersDep, admin: PlatformAdmin, ip: ClientIp
) -> StaffOut:
    user = await staff.disable_staff(session, adapters, staff_id, caller_of(admin, ip))
    return await view(session, adapters, user)


@router.post(
    "/{staff_id}/enable", response_model=StaffOut, summary="Enable the account", responses=_problems
)
async def enable(
    staff_id: uuid.UUID, session: Session, adapters: AdaptersDep, admin: PlatformAdmin, ip: ClientIp
) -> StaffOut:
    user = await staff.enable_staff(session, adapters, staff_id, caller_of(admin, ip))
    return await view(session, adapters, user)


@router.post(
    "/{staff_id}/unlock",
    response_model=StaffOut,
    summary="Lift a lockout after failed sign-ins",
    responses=_problems,
)
async def unlock(
    staff_id: uuid.UUID, session: Session, adapters: AdaptersDep, admin: PlatformAdmin, ip: ClientIp
) -> StaffOut:
    user = await staff.unlock_staff(session, adapters, staff_id, caller_of(admin, ip))
    return await view(session, adapters, user)


@router.post(
    "/{staff_id}/password-reset",
    response_model=StaffPassword,
    summary="Generate a new password (shown once); the account's sessions end",
    responses=_problems,
)
async def reset_password(
    staff_id: uuid.UUID,
    request: Request,
    session: Session,
    adapters: AdaptersDep,
    admin: PlatformAdmin,
    ip: ClientIp,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def make() -> StaffPassword:
        user, password = await staff.reset_password(
            session, adapters, staff_id, caller_of(admin, ip)
        )
        return StaffPassword(id=user.id, username=user.username, new_password=password)

    return await create_once(
        request, session, adapters, admin, idempotency_key, None, make, status_code=200
    )
