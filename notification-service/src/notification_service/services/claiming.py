"""Taking up due messages: given up past their deadline, put off in quiet hours or over a
recipient's hourly limit, the rest claimed ``sending`` under one claim token.

The claim is a conditional UPDATE (only rows still due), so two replicas never take
the same message; on PostgreSQL the due rows are read ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.events import CloudEvent, record
from mahaliyat.ids import new_id
from notification_service.adapters import Adapters
from notification_service.domain.lifecycle import finish
from notification_service.domain.states import MessageState
from notification_service.events import FAILED, sms_event
from notification_service.queries import messages
from notification_service.services.compose import QUIET_HOURS_EXEMPT

HOUR = timedelta(hours=1)


async def claim_due(
    session: AsyncSession, adapters: Adapters, *, batch_size: int, postgres: bool
) -> tuple[list[dict[str, Any]], int]:
    """(the messages claimed for sending, how many due messages were taken up in all)."""
    now = adapters.now()
    due = await messages.due(session, now, limit=batch_size, postgres=postgres)
    if not due:
        return [], 0
    totals, identical = await messages.traffic(session, {m["recipient"] for m in due}, now - HOUR)
    limit_defer = timedelta(seconds=adapters.settings.limit_defer_seconds)
    ready: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    events: list[CloudEvent] = []
    quiet = adapters.composer.quiet_hours
    for message in due:
        if now >= message["deadline_at"]:
            state = MessageState(message["state"])
            if state == MessageState.CREATED:  # never handed over: it will not be now
                state = MessageState.PERMANENT_FAILURE
                message["error_code"] = "expired" if message["kind"] == "otp" else "deadline_passed"
            finish(message, state, now)
            changed.append(message)
            events.append(sms_event(FAILED, message, time=now))
            continue
        quiet_end = None
        if quiet is not None and message["kind"] not in QUIET_HOURS_EXEMPT:
            quiet_end = quiet.ends_after(now)
        if quiet_end is not None:
            # Quiet time does not count against the retry window.
            message["deadline_at"] += quiet_end - now
            message["next_attempt_at"] = quiet_end
            message["updated_at"] = now
            changed.append(message)
            continue
        recipient, body = message["recipient"], message["body_digest"]
        verdict = adapters.limits.verdict(
            total=totals[recipient], identical=identical[(recipient, body)]
        )
        if verdict == "identical_exceeded":
            message["error_code"] = "recipient_identical_limit"
            finish(message, MessageState.PERMANENT_FAILURE, now)
            changed.append(message)
            events.append(sms_event(FAILED, message, time=now))
            continue
        if verdict == "total_exceeded":
            message["error_code"] = "recipient_limit"
            retry_at = now + limit_defer
            if retry_at < message["deadline_at"]:
                message["next_attempt_at"] = retry_at
                message["updated_at"] = now
            else:
                finish(message, MessageState.PERMANENT_FAILURE, now)
                events.append(sms_event(FAILED, message, time=now))
            changed.append(message)
            continue
        totals[recipient] += 1
        identical[(recipient, body)] += 1
        ready.append(message)
    await messages.save_messages(session, changed)
    claimed = await _mark_sending(session, ready, now)
    if events:
        await record(session, *events)
    return claimed, len(due)


async def _mark_sending(
    session: AsyncSession, ready: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    if not ready:
        return []
    token = new_id()
    taken = await messages.mark_sending(session, [m["id"] for m in ready], token=token, now=now)
    claimed = []
    for message in ready:
        if message["id"] in taken:
            message.update(
                state=MessageState.SENDING.value,
                claim_token=token,
                claimed_at=now,
                attempts=message["attempts"] + 1,
            )
            claimed.append(message)
    return claimed
