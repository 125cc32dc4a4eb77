"""Webhook payloads already acted on, for providers whose webhooks carry no timestamp.

A token or basic-auth webhook can be replayed as it is (a provider retrying, or
someone who captured one). Its payload digest is claimed in the same transaction
as its effect; a second claim within ``window`` is a replay and has no effect. The
first claim wins on both backends: PostgreSQL's unique index makes a concurrent
second insert wait for the first to commit, SQLite serialises writers. Keys older
than the window are taken over (and purged by the sender's housekeeping), so the
table holds about one window of traffic.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.models import WebhookReplay
from notification_service.storage import dialect_of, insert_rows, table_of

REPLAYS = table_of(WebhookReplay)


@dataclass(frozen=True, slots=True)
class Seen:
    """The payload was acted on already, at ``received_at``; ``inbound_id`` is what it recorded."""

    received_at: datetime
    inbound_id: uuid.UUID | None


class ReplayStore:
    def __init__(self, window: timedelta) -> None:
        self.window = window

    async def claim(
        self,
        session: AsyncSession,
        *,
        provider: str,
        digest: str,
        now: datetime,
        inbound_id: uuid.UUID | None = None,
    ) -> Seen | None:
        """Claim the payload for this transaction: None the first time, else what was seen."""
        row = {"provider": provider, "digest": digest, "received_at": now, "inbound_id": inbound_id}
        inserted = await insert_rows(
            session, REPLAYS, [row], ignore_conflicts=("provider", "digest")
        )
        if inserted == 1:
            return None
        query = select(WebhookReplay.received_at, WebhookReplay.inbound_id).where(
            WebhookReplay.provider == provider, WebhookReplay.digest == digest
        )
        if dialect_of(session) == "postgresql":
            query = query.with_for_update()
        found = (await session.execute(query)).one_or_none()
        if found is not None and found.received_at > now - self.window:
            return Seen(found.received_at, found.inbound_id)
        # Seen long ago (or purged meanwhile): this is a new payload that happens to repeat one.
        await session.execute(
            update(WebhookReplay)
            .where(WebhookReplay.provider == provider, WebhookReplay.digest == digest)
            .values(received_at=now, inbound_id=inbound_id)
            .execution_options(synchronize_session=False)
        )
        if found is None:
            await insert_rows(session, REPLAYS, [row], ignore_conflicts=("provider", "digest"))
        return None

    async def purge(self, session: AsyncSession, now: datetime) -> int:
        """Forget payloads older than the window."""
        result = await session.execute(
            delete(WebhookReplay)
            .where(WebhookReplay.received_at <= now - self.window)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
