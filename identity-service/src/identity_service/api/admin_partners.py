"""Admin: partner clients (OAuth2 client credentials) (platform_admin)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from identity_service.api.deps import (
    AdaptersDep,
    ClientIp,
    PlatformAdmin,
    caller_of,
    create_once,
    problem_responses,
)
from identity_service.models import PartnerClient
from identity_service.schemas import (
    PartnerCreate,
    PartnerOut,
    PartnerPage,
    PartnerUpdate,
    PartnerWithSecret,
)
from identity_service.services import partners
from mahaliyat.idempotency import IdempotencyKey
from mahaliyat.web import Page, Session

router = APIRouter(prefix="/admin/partners", tags=["admin: partners"])
_problems = problem_responses(401, 403, 404, 422)


def view(client: PartnerClient) -> PartnerOut:
    return PartnerOut(
        id=client.id,
        client_id=client.client_id,
        name=client.name,
        scopes=client.scopes.split(),
        jurisdiction=client.jurisdiction,
        kind="service" if client.kind == "service" else "partner",
        created_at=client.created_at,
        secret_rotated_at=client.secret_rotated_at,
        disabled=client.disabled_at is not None,
    )


@router.post(
    "",
    status_code=201,
    response_model=PartnerWithSecret,
    summary="Register a partner client; its secret is shown this once",
    responses=_problems,
)
async def create(
    body: PartnerCreate,
    request: Request,
    session: Session,
    adapters: AdaptersDep,
    admin: PlatformAdmin,
    ip: ClientIp,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def make() -> PartnerWithSecret:
        client, secret = await partners.create_client(
            session,
            adapters,
            name=body.name,
            scopes=body.scopes,
            jurisdiction=body.jurisdiction,
            kind=body.kind,
            caller=caller_of(admin, ip),
        )
        return PartnerWithSecret(**view(client).model_dump(), client_secret=secret)

    return await create_once(request, session, adapters, admin, idempotency_key, body, make)


@router.get("", response_model=PartnerPage, summary="List partner clients", responses=_problems)
async def list_clients(
    session: Session,
    _admin: PlatformAdmin,
    page: Page,
) -> PartnerPage:
    clients, total = await partners.list_clients(session, limit=page.limit, offset=page.offset)
    return PartnerPage(items=[view(c) for c in clients], total=total)


@router.get("/{client_uuid}", response_model=PartnerOut, responses=_problems)
async def get(client_uuid: uuid.UUID, session: Session, _admin: PlatformAdmin) -> PartnerOut:
    return view(await partners.get_client(session, client_uuid))


@router.patch(
    "/{client_uuid}",
    response_model=PartnerOut,
    summary="Change allowed scopes or jurisdiction (new tokens only)",
    responses=_problems,
)
async def update(
    client_uuid: uuid.UUID,
    body: PartnerUpdate,
    session: Session,
    adapters: AdaptersDep,
    admin: PlatformAdmin,
    ip: ClientIp,
) -> PartnerOut:
    client = await partners.update_client(
        session,
        adapters,
        client_uuid,
        scopes=body.scopes,
        jurisdiction=body.jurisdiction,
        caller=caller_of(admin, ip),
    )
    return view(client)


@router.post(
    "/{client_uuid}/secret",
    response_model=PartnerWithSecret,
    summary="Rotate the secret: the new one is shown once, the old one stops working",
    responses=_problems,
)
async def rotate_secret(
    client_uuid: uuid.UUID,
    request: Request,
    session: Session,
    adapters: AdaptersDep,
    admin: PlatformAdmin,
    ip: ClientIp,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def make() -> PartnerWithSecret:
        client, secret = await partners.rotate_secret(
            session, adapters, client_uuid, caller_of(admin, ip)
        )
        return PartnerWithSecret(**view(client).model_dump(), client_secret=secret)

    return await create_once(
        request, session, adapters, admin, idempotency_key, None, make, status_code=200
    )


@router.post("/{client_uuid}/disable", response_model=PartnerOut, responses=_problems)
async def disable(
    client_uuid: uuid.UUID,
    session: Session,
    adapters: AdaptersDep,
    admin: PlatformAdmin,
    ip: ClientIp,
) -> PartnerOut:
    return view(
        await partners.set_disabled(session, adapters, client_uuid, True, caller_of(admin, ip))
    )


@router.post("/{client_uuid}/enable", response_model=PartnerOut, responses=_problems)
async def enable(
    client_uuid: uuid.UUID,
    session: Session,
    adapters: AdaptersDep,
    admin: PlatformAdmin,
    ip: ClientIp,
) -> PartnerOut:
    return view(
        await partners.set_disabled(session, adapters, client_uuid, False, caller_of(admin, ip))
    )
