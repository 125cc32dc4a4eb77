"""The events notification-service consumes: each handler calls one use case."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.events import CloudEvent
from mahaliyat.runtime import Consumer
from notification_service.adapters import Adapters
from notification_service.services import event_sms


def consumers(adapters: Adapters) -> tuple[Consumer, ...]:
    async def on_otp(session: AsyncSession, event: CloudEvent) -> None:
        await event_sms.on_otp(session, adapters, event)

    async def on_event(session: AsyncSession, event: CloudEvent) -> None:
        await event_sms.on_event(session, adapters, event)

    return (
        # Its own queue, so an OTP never waits behind a backlog of status messages.
        Consumer("otp-sms", ("identity.otp.requested",), on_otp),
        Consumer("event-sms", adapters.settings.sms_event_patterns, on_event),
    )
