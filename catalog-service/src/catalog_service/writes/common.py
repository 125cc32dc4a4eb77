"""What every catalogue change does: check the admin's scope, raise the generation, answer once."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service.queries import generation
from catalog_service.queries import idempotency as keys
from catalog_service.readmodel import CatalogueReadModel
from mahaliyat import context
from mahaliyat.auth import NATION, Principal, ensure_jurisdiction
from mahaliyat.db import on_commit, utcnow
from mahaliyat.problems import Problem, field_error

ADMIN_ROLE = "catalog_admin"
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


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
    replayed: bool = False


def _hash(scope: str, body: BaseModel) -> str:
    canonical = json.dumps(
        [scope, body.model_dump(mode="json")], sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def once(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    key: str | None,
    scope: str,
    body: BaseModel,
    create: Callable[[], Awaitable[Outcome]],
) -> Outcome:
    """Run ``create`` once per (principal, ``Idempotency-Key``); a retry gets the first answer.

    The same key with a different request is refused (422). The key is looked up after the
    generation lock is held, so two concurrent retries answer one after the other.
    """
    if key is not None and not _KEY.match(key):
        raise Problem(
            422,
            "validation_failed",
            errors=[
                field_error(
                    "Idempotency-Key",
                    "invalid_idempotency_key",
                    say("مفتاح غير صالح (١ إلى ٢٠٠ حرف مرئي)", "1 to 200 visible ASCII characters"),
                    "header",
                )
            ],
        )
    await lock_catalogue(session)  # waits for a concurrent twin to commit its answer
    if key is None:
        await begin_change(session, read_model)
        return await create()
    request_hash = _hash(scope, body)
    found = await keys.find(session, principal.subject, key)
    if found is not None:
        if found.request_hash != request_hash:
            raise Problem(
                422,
                "idempotency_key_reused",
                errors=[
                    field_error(
                        "Idempotency-Key",
                        "idempotency_key_reused",
                        say(
                            "استُخدم هذا المفتاح لطلب مختلف",
                            "this key was used for a different request",
                        ),
                        "header",
                    )
                ],
            )
        return Outcome(found.status_code, found.body, found.location, replayed=True)
    await begin_change(session, read_model)
    outcome = await create()
    await keys.remember(
        session,
        principal=principal.subject,
        key=key,
        request_hash=request_hash,
        status_code=outcome.status_code,
        body=outcome.body,
        location=outcome.location,
        now=utcnow(),
    )
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Problem(409, "idempotency_key_in_use") from exc
    return outcome
