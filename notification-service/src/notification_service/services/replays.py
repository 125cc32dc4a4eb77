"""Webhook payloads already acted on, for providers whose webhooks carry no timestamp.

A token or basic-auth webhook can be replayed as it is (a provider retrying, or
someone who captured one). Its payload digest is claimed in the same transaction
as its effect; a second claim within the replay window is a replay and has no
effect. The first claim wins on both backends: PostgreSQL's unique index makes a
concurrent second insert wait for the first to commit, SQLite serialises writers.
Keys older than the window are taken over (and purged by the sender's
housekeeping), so the table holds about one window of traffic.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.adapters import Adapters
from notification_service.queries import replays


@dataclass(frozen=True, slots=True)
class Seen:
    """The payload was acted on already, at ``received_at``; ``inbound_id`` is what it recorded."""

    received_at: datetime
    inbound_id: uuid.UUID | None


async def claim(
    session: AsyncSession,
    adapters: Adapters,
    *,
    provider: str,
    digest: str,
    now: datetime,
    inbound_id: uuid.UUID | None = None,
) -> Seen | None:
    """Claim the payload for this transaction: None the first time, else what was seen."""
    if await replays.insert(
        session, provider=provider, digest=digest, received_at=now, inbound_id=inbound_id
    ):
        return None
    found = await replays.locked(session, provider=provider, digest=digest)
    if found is not None and found.received_at > now - adapters.replay_window:
        return Seen(found.received_at, found.inbound_id)
    # Seen long ago (or purged meanwhile): this is a new payload that happens to repeat one.
    await replays.retake(
        session, provider=provider, digest=digest, received_at=now, inbound_id=inbound_id
    )
    if found is None:
        await replays.insert(
            session, provider=provider, digest=digest, received_at=now, inbound_id=inbound_id
        )
    return None


async def purge(session: AsyncSession, adapters: Adapters, now: datetime) -> int:
    """Forget payloads older than the window."""
    return await replays.purge(session, received_before=now - adapters.replay_window)
