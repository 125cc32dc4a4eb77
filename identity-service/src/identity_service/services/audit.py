"""The audit trail: every admin action and security event, appended, never changed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.models import AuditEntry
from identity_service.queries import audit as trail
from mahaliyat import context


@dataclass(frozen=True, slots=True)
class Caller:
    """Who acts (``staff:<id>``, ``partner:<client_id>``, ``citizen:<id>``, ``anonymous``) and from where."""

    actor: str
    client_ip: str | None


async def audit(
    session: AsyncSession,
    caller: Caller,
    action: str,
    *,
    at: datetime,
    target: str | None = None,
    **details: Any,
) -> None:
    trail.append(
        session,
        AuditEntry(
            at=at,
            actor=caller.actor,
            action=action,
            target=target,
            details=details,
            request_id=context.request_id.get(),
            client_ip=caller.client_ip,
        ),
    )


async def list_entries(
    session: AsyncSession,
    *,
    action: str | None = None,
    actor: str | None = None,
    target: str | None = None,
    before: uuid.UUID | None = None,
    limit: int = 50,
) -> Sequence[AuditEntry]:
    """Newest first; page with ``before`` = the last id seen (ids are time-ordered)."""
    return await trail.entries(
        session, action=action, actor=actor, target=target, before=before, limit=limit
    )
