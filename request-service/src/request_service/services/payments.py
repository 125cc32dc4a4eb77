"""``payment.succeeded`` moves an application from awaiting_payment to in_processing."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.events import CloudEvent
from request_service.adapters import Adapters
from request_service.domain.tracking import parse_tracking_number
from request_service.domain.workflow import SYSTEM, State
from request_service.models import Application
from request_service.queries import applications
from request_service.services import audit, transitions

log = logging.getLogger(__name__)


class UnknownApplication(LookupError):
    """Raised so the event is retried and then parked in the dead-letter queue for a human."""


async def _find(session: AsyncSession, data: dict[str, Any]) -> Application | None:
    raw_id = data.get("application_id")
    if raw_id:
        try:
            return await applications.get(session, uuid.UUID(str(raw_id)), for_update=True)
        except ValueError:
            return None
    tracking = parse_tracking_number(str(data.get("tracking_number") or ""))
    if tracking is None:
        return None
    return await applications.by_tracking_number(session, str(tracking), for_update=True)


async def payment_succeeded(session: AsyncSession, adapters: Adapters, event: CloudEvent) -> None:
    data = event.data
    application = await _find(session, data)
    if application is None:
        raise UnknownApplication(f"payment {data.get('invoice_id')} names no known application")
    now = adapters.now()
    amount = int(data.get("amount_piasters") or 0)
    invoice = str(data.get("invoice_id") or "")
    actor = f"payment:{invoice}" if invoice else "payment"
    due = application.amount_due_piasters or 0
    if application.state != State.AWAITING_PAYMENT or amount < due:
        # Recorded, not applied: a late, duplicate or short payment is for finance to settle.
        log.warning(
            "payment %s not applied to %s (state %s, paid %d of %d)",
            invoice,
            application.tracking_number,
            application.state,
            amount,
            due,
        )
        await audit.record(
            session,
            at=now,
            actor_id=actor,
            actor_role=SYSTEM,
            action="payment_not_applied",
            application_id=application.id,
            details={"invoice_id": invoice, "amount_piasters": amount, "state": application.state},
        )
        return
    application.invoice_id = invoice or None
    application.paid_at = now
    application.paid_piasters = amount
    await transitions.apply(
        session,
        adapters,
        application,
        State.IN_PROCESSING,
        actor_id=actor,
        actor_role=SYSTEM,
        reason=None,
        now=now,
        details={"invoice_id": invoice, "amount_piasters": amount},
    )
