"""What every catalogue change does: check the admin's scope, raise the generation, answer once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service.queries import generation
from catalog_service.readmodel import CatalogueReadModel
from mahaliyat import context
from mahaliyat.auth import NATION, Principal, ensure_jurisdiction
from mahaliyat.db import on_commit
from mahaliyat.idempotency import idempotent
from mahaliyat.problems import Problem

ADMIN_ROLE = "catalog_admin"


def say(ar: str, en: str) -> str:
    """The Arabic or the English text, by the request's language."""
    return en if context.language.get() == "en" else ar


def require_national(principal: Principal) -> None:
    """Services and national default fees are the nation's: a governorate admin gets 403."""
    if not principal.can(ADMIN_ROLE, NATION):
        raise Problem(
            403,
            "national_scope_required",
            say(
                "هذا التعديل لمسؤول الدليل على المستوى القومي فقط",
                "only a national catalogue admin may change this",
            ),
        )


def require_scope(principal: Principal, governorate: str | None) -> None:
    """National records need the nation; a governorate's record outside the admin's
    jurisdiction answers 404 (the kernel's rule: its existence is not revealed)."""
    if governorate is None:
        require_national(principal)
    else:
        ensure_jurisdiction(principal, ADMIN_ROLE, governorate)


async def lock_catalogue(session: AsyncSession) -> None:
    """Take the generation row's lock (once per transaction), before any other row lock or write.

    Every catalogue writer starts here, so all of them queue on one lock in one order: two
    writers can no longer each hold a row the other waits for (a deadlock on PostgreSQL),
    and a check such as "no overlapping fee period" cannot race another insert.
    """
    if session.info.get("catalogue_locked"):
        return
    await generation.lock(session)
    session.info["catalogue_locked"] = True


async def begin_change(session: AsyncSession, read_model: CatalogueReadModel) -> None:
    """Raise the generation (once per transaction) and refresh the snapshot after the commit."""
    if session.info.get("catalogue_changed"):
        return
    await lock_catalogue(session)
    await generation.bump(session)
    on_commit(session, read_model.invalidate)  # the unit of work commits before responding
    session.info["catalogue_changed"] = True


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int
    body: dict[str, Any]
    location: str | None = None

    def response(self) -> JSONResponse:
        headers = {"Location": self.location} if self.location else {}
        return JSONResponse(self.body, status_code=self.status_code, headers=headers)


async def once(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    key: str | None,
    scope: str,
    body: BaseModel,
    create: Callable[[], Awaitable[Outcome]],
) -> Response:
    """Run ``create`` once per (principal, ``Idempotency-Key``); a retry gets the first answer.

    The kernel's idempotency (``mahaliyat.idempotency``): the same key with a different
    request is refused (422). The generation lock is taken before the key is claimed (one
    lock order for every writer), so two concurrent retries answer one after the other.
    """
    await lock_catalogue(session)  # waits for a concurrent twin to commit its answer

    async def produce() -> Response:
        await begin_change(session, read_model)
        return (await create()).response()

    return await idempotent(session, principal, key, scope, body, produce)
