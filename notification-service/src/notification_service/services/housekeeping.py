"""The sender's housekeeping: claims lost with their process, and sends never confirmed.

A claim left ``sending`` longer than ``sending_stale_seconds`` belonged to a process
that died; the message becomes a technical failure due at once (the provider may
have taken it: at least once, never silently lost). A message ``sent`` longer than
``receipt_wait_seconds`` ago with no receipt is made final (still ``sent``, error
``no_receipt``) and its ``notification.sms.failed`` published.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.events import record
from notification_service.adapters import Adapters
from notification_service.domain.lifecycle import finish
from notification_service.domain.states import MessageState
from notification_service.events import FAILED, sms_event
from notification_service.queries import messages


async def release_stale_claims(session: AsyncSession, adapters: Adapters, now: datetime) -> int:
    """Make lost claims due again: how many there were."""
    stale_after = timedelta(seconds=adapters.settings.sending_stale_seconds)
    return await messages.release_stale_claims(session, claimed_before=now - stale_after, now=now)


async def close_unconfirmed(
    session: AsyncSession, adapters: Adapters, now: datetime, *, limit: int, postgres: bool
) -> int:
    """Make final up to ``limit`` messages sent too long ago without a receipt: how many.

    They stay ``sent`` (the provider took them; whether they arrived is unknown), with
    error ``no_receipt``; ``notification.sms.failed`` says they ended undelivered. A
    delivery receipt that still comes marks them delivered.
    """
    wait = timedelta(seconds=adapters.settings.receipt_wait_seconds)
    expired = await messages.unconfirmed(
        session, sent_before=now - wait, limit=limit, postgres=postgres
    )
    if not expired:
        return 0
    for message in expired:
        message["error_code"] = "no_receipt"
        message["error_detail"] = None
        finish(message, MessageState.SENT, now)
    await messages.save_messages(session, expired)
    await record(session, *(sms_event(FAILED, m, time=now) for m in expired))
    return len(expired)
