"""Delivery receipts: kept as received, applied once, never moving a message backwards.

A receipt is stored under (provider, provider's message id, status), so a replay
is recognised. It is applied when the attempt it names is known — the latest
attempt with that id, should the provider have used it twice; one that arrives
before the send was recorded waits and is applied when it is. A failure (temporary
or permanent) counts only for the message's latest attempt and only while the
message is not final; a delivery counts for any attempt, even after the message
was given up.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.events import CloudEvent, record
from mahaliyat.ids import new_id
from notification_service.adapters import Adapters
from notification_service.domain.lifecycle import finish, retry_or_finish
from notification_service.domain.states import MessageState, ReceiptState, after_receipt
from notification_service.events import DELIVERED, FAILED, sms_event
from notification_service.providers.base import ProviderReceipt
from notification_service.queries import messages, receipts
from notification_service.queries.messages import Owner
from notification_service.services import replays

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReceiptAnswer:
    provider_message_id: str
    message_id: uuid.UUID | None  # None while the attempt it names is not known
    state: str | None


async def take(
    adapters: Adapters,
    provider: str,
    parsed: Sequence[ProviderReceipt],
    replay_digest: str | None,
) -> list[ReceiptAnswer]:
    """A provider's webhook, in one transaction: a replayed payload (``replay_digest`` seen
    within the window) answers what the receipts say now and applies nothing."""
    async with adapters.database.unit_of_work() as uow:
        seen = None
        if replay_digest is not None:
            seen = await replays.claim(
                uow.session, adapters, provider=provider, digest=replay_digest, now=adapters.now()
            )
        if seen is not None:
            log.info("receipts webhook replayed; nothing applied")
            return await status(uow.session, provider, [r.provider_message_id for r in parsed])
        return await apply(uow.session, adapters, provider, parsed)


async def apply(
    session: AsyncSession,
    adapters: Adapters,
    provider: str,
    received: Sequence[ProviderReceipt],
) -> list[ReceiptAnswer]:
    if not received:
        return []
    now = adapters.now()
    rows = {
        (r.provider_message_id, r.status): {
            "id": new_id(),
            "provider": provider,
            "provider_message_id": r.provider_message_id,
            "status": r.status,
            "state": r.state,
            "received_at": now,
        }
        for r in received
    }
    await receipts.insert_receipts(session, list(rows.values()))
    return await apply_pending(
        session, adapters, provider, [r.provider_message_id for r in received]
    )


async def apply_pending(
    session: AsyncSession, adapters: Adapters, provider: str, provider_ids: Sequence[str]
) -> list[ReceiptAnswer]:
    """Apply every stored, unapplied receipt for these ids whose attempt is known."""
    if not provider_ids:
        return []
    now = adapters.now()
    wanted = list(dict.fromkeys(provider_ids))
    owners = await messages.owners_of(session, provider, wanted)
    postgres = session.get_bind().dialect.name == "postgresql"
    found = await messages.locked_messages(
        session, list({owner.message_id for owner in owners.values()}), postgres=postgres
    )
    changed: dict[uuid.UUID, dict[str, Any]] = {}
    events: list[CloudEvent] = []
    applied: list[dict[str, Any]] = []
    for receipt in await receipts.pending(session, provider, wanted):
        owner = owners.get(receipt.provider_message_id)
        if owner is None or owner.message_id not in found:
            continue  # the send is not recorded yet; applied when it is
        applied.append({"id": receipt.id, "message_id": owner.message_id, "applied_at": now})
        message = found[owner.message_id]
        moved, event = _transition(adapters, message, owner, receipt.state, now)
        if moved:
            changed[owner.message_id] = message
        if event is not None:
            events.append(event)
    await messages.save_messages(session, list(changed.values()))
    await receipts.mark_applied(session, applied)
    if events:
        await record(session, *events)
    return _answers(wanted, owners, found)


async def status(
    session: AsyncSession, provider: str, provider_ids: Sequence[str]
) -> list[ReceiptAnswer]:
    """What ``apply`` would answer, changing nothing (for a replayed webhook)."""
    wanted = list(dict.fromkeys(provider_ids))
    owners = await messages.owners_of(session, provider, wanted)
    found = await messages.states_of(session, list({owner.message_id for owner in owners.values()}))
    return _answers(wanted, owners, found)


def _answers(
    wanted: Sequence[str],
    owners: dict[str, Owner],
    found: dict[uuid.UUID, dict[str, Any]],
) -> list[ReceiptAnswer]:
    answers = []
    for provider_id in wanted:
        owner = owners.get(provider_id)
        message = found.get(owner.message_id) if owner is not None else None
        answers.append(
            ReceiptAnswer(
                provider_id,
                owner.message_id if owner is not None else None,
                message["state"] if message else None,
            )
        )
    return answers


def _transition(
    adapters: Adapters,
    message: dict[str, Any],
    owner: Owner,
    state: str | None,
    now: datetime,
) -> tuple[bool, CloudEvent | None]:
    """Move ``message`` as the receipt says: (whether it moved, the event to publish)."""
    if state not in ("delivered", "temporary_failure", "permanent_failure"):
        return False, None
    receipt_state: ReceiptState = state  # type: ignore[assignment]
    target = after_receipt(
        MessageState(message["state"]),
        receipt_state,
        final=message["final_at"] is not None,
        latest=owner.attempt == message["attempts"],
    )
    if target is None:
        return False, None
    if target == MessageState.DELIVERED:
        finish(message, target, now)
        message["delivered_at"] = now
        message["error_code"] = message["error_detail"] = None
        return True, sms_event(DELIVERED, message, time=now)
    message["error_code"] = f"receipt_{state}"
    message["error_detail"] = None
    if target == MessageState.PERMANENT_FAILURE:
        finish(message, target, now)
        return True, sms_event(FAILED, message, time=now)
    gave_up = retry_or_finish(
        message,
        target,
        now,
        base_seconds=adapters.settings.retry_base_seconds,
        max_seconds=adapters.settings.retry_max_seconds,
    )
    return True, sms_event(FAILED, message, time=now) if gave_up else None
