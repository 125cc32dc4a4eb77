"""Dependencies shared by the endpoints: the runtime, the caller, roles, idempotent creation."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import Adapters
from identity_service.domain.geography import NATION
from identity_service.domain.roles import PLATFORM_ADMIN
from identity_service.errors import Refusal, say
from identity_service.services.audit import Caller
from mahaliyat.auth import CurrentPrincipal, Principal
from mahaliyat.idempotency import idempotent
from mahaliyat.problems import PROBLEM_JSON, Problem

T = TypeVar("T")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: these statuses answer with problem+json."""
    return {status: {"content": {PROBLEM_JSON: {}}} for status in statuses}


def get_adapters(request: Request) -> Adapters:
    adapters: Adapters = request.app.state.adapters
    return adapters


AdaptersDep = Annotated[Adapters, Depends(get_adapters)]


def client_ip(request: Request, adapters: AdaptersDep) -> str:
    """The client's address; behind ``trusted_proxy_hops`` proxies, read from X-Forwarded-For."""
    hops = adapters.settings.trusted_proxy_hops
    if hops:
        forwarded = [
            part.strip()
            for header in request.headers.getlist("x-forwarded-for")
            for part in header.split(",")
            if part.strip()
        ]
        if forwarded:
            return forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    return request.client.host if request.client else "unknown"


ClientIp = Annotated[str, Depends(client_ip)]


def anonymous(ip: ClientIp) -> Caller:
    return Caller("anonymous", ip)


Anonymous = Annotated[Caller, Depends(anonymous)]


def actor_of(principal: Principal) -> str:
    return f"{principal.kind}:{principal.subject}"


def session_id_of(principal: Principal) -> uuid.UUID | None:
    sid = principal.claims.get("sid")
    try:
        return uuid.UUID(str(sid)) if sid else None
    except ValueError:
        return None


def subject_id(principal: Principal) -> uuid.UUID:
    """The account id a citizen or staff token speaks for."""
    try:
        return uuid.UUID(principal.subject)
    except ValueError:
        raise Problem(403, "forbidden") from None


async def platform_admin(principal: CurrentPrincipal) -> Principal:
    if principal.kind != "staff" or not principal.can(PLATFORM_ADMIN, NATION):
        raise Problem(
            403,
            "forbidden",
            say("هذا الإجراء لمسؤول المنصة فقط.", "This action needs the platform_admin role."),
        )
    return principal


PlatformAdmin = Annotated[Principal, Depends(platform_admin)]


async def staff_member(principal: CurrentPrincipal) -> Principal:
    if principal.kind != "staff":
        raise Problem(403, "forbidden", say("للموظفين فقط.", "For staff only."))
    return principal


StaffMember = Annotated[Principal, Depends(staff_member)]


def caller_of(principal: Principal, ip: str) -> Caller:
    return Caller(actor_of(principal), ip)


async def kept(request: Request, outcome: Awaitable[T]) -> T | Response:
    """Await a use case; a :class:`Refusal` becomes the answer and its writes still commit."""
    try:
        return await outcome
    except Refusal as refusal:
        return refusal.response(request.url.path)


async def create_once(
    request: Request,
    session: AsyncSession,
    adapters: Adapters,
    principal: Principal,
    key: str | None,
    body: BaseModel | None,
    create: Callable[[], Awaitable[BaseModel]],
    status_code: int = 201,
) -> Response:
    """Run ``create`` once per (actor, Idempotency-Key); a retry gets the first answer back.

    The kernel's idempotency: the stored answer is sealed under the key, so a one-time
    secret in it (a client secret, an initial password) is not readable from the database.
    """

    async def produce() -> Response:
        result = await create()
        return JSONResponse(result.model_dump(mode="json"), status_code)

    return await idempotent(
        session,
        principal,
        key,
        f"{request.method} {request.url.path}",
        body,
        produce,
        now=adapters.clock(),
    )
