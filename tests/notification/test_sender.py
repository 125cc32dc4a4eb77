"""The sender on SQLite and PostgreSQL: retries to a final state, limits, quiet hours, claims."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, text

from mahaliyat.clock import CAIRO
from mahaliyat.db import Database
from notification_service.domain.tracking import TrackingNumber
from notification_service.models import SmsAttempt
from notification_service.providers.base import OutgoingSms, SendResult
from notification_service.providers.sandbox import (
    PERMANENT_FAILURE_NUMBER,
    SILENT_NUMBER,
    TECHNICAL_FAILURE_NUMBER,
    TEMPORARY_FAILURE_NUMBER,
    UNREACHABLE_NUMBER,
)
from notification_service.services.sender import Sender
from tests.notification.support import (
    CITIZEN,
    PREFIX,
    FormSmsApi,
    Service,
    bulk_eg,
    bulk_eg_receipt,
    otp_event,
    running,
    status_changed,
    submitted,
)
from tests.support.clock import FakeClock

RETRIES: dict[str, Any] = {
    "retry_base_seconds": 60,
    "retry_max_seconds": 600,
    "retry_window_seconds": 3600,
}


async def queue(svc: Service, to: str, tracking: str = "21-26-0004217-9") -> uuid.UUID:
    """Queue a cancellation notice through the admin API (one placeholder: the tracking number)."""
    response = await svc.client.post(
        f"{PREFIX}/sms",
        json={
            "template": "request.status_changed.cancelled",
            "to": to,
            "values": {"tracking_number": tracking},
        },
        headers={**svc.tokens.admin(), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


async def run_until_final(svc: Service, message_id: uuid.UUID, step: timedelta) -> Any:
    """Let time pass until the message is final; returns it (bounded, so a loop fails the test)."""
    for _ in range(200):
        await svc.send_due()
        [message] = await svc.messages(id=message_id)
        if message.final_at is not None:
            return message
        svc.clock.advance(seconds=step.total_seconds())
    raise AssertionError("the message never reached a final state")


async def test_temporary_failures_are_retried_with_backoff_then_given_up(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path, **RETRIES) as svc:
        message_id = await queue(svc, TEMPORARY_FAILURE_NUMBER)
        started = svc.clock()
        await svc.send_due()
        [first] = await svc.messages(id=message_id)
        assert first.state == "temporary_failure"
        assert first.final_at is None
        assert first.next_attempt_at == started + timedelta(seconds=60)
        await svc.send_due()  # not due yet: nothing happens
        assert (await svc.messages(id=message_id))[0].attempts == 1

        final = await run_until_final(svc, message_id, timedelta(minutes=1))
        assert final.state == "temporary_failure"
        assert final.next_attempt_at is None
        # Attempts at 0, 1, 3, 7, 15, 25, 35, 45 and 55 minutes (backoff doubling from 60 s,
        # capped at 600 s); the next would be at 65 minutes, past the one-hour window.
        assert final.attempts == 9
        assert final.final_at == started + timedelta(minutes=55)
        failed = await svc.published("notification.sms.failed")
        assert [e.data["message_id"] for e in failed] == [str(message_id)]
        assert failed[0].data["state"] == "temporary_failure"


async def test_technical_failures_end_final_too(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path, **RETRIES) as svc:
        message_id = await queue(svc, TECHNICAL_FAILURE_NUMBER)
        final = await run_until_final(svc, message_id, timedelta(minutes=5))
        assert (final.state, final.error_code) == ("technical_failure", "provider_error")
        assert final.attempts > 1


async def test_a_permanent_failure_is_final_at_once(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path, **RETRIES) as svc:
        message_id = await queue(svc, PERMANENT_FAILURE_NUMBER)
        await svc.send_due()
        [message] = await svc.messages(id=message_id)
        assert (message.state, message.attempts, message.error_code) == (
            "permanent_failure",
            1,
            "invalid_number",
        )
        assert message.final_at is not None


async def test_a_temporary_failure_receipt_leads_to_a_resend(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path, **RETRIES) as svc:
        message_id = await queue(svc, UNREACHABLE_NUMBER)
        await svc.send_due()  # sent, then the receipt says the phone was unreachable
        [message] = await svc.messages(id=message_id)
        assert (message.state, message.error_code) == (
            "temporary_failure",
            "receipt_temporary_failure",
        )
        final = await run_until_final(svc, message_id, timedelta(minutes=1))
        assert final.state == "temporary_failure"
        assert len(svc.sandbox.messages_to(UNREACHABLE_NUMBER)) == final.attempts > 1


async def test_sent_and_delivered_events_are_published(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path) as svc:
        message_id = await queue(svc, CITIZEN)
        await svc.send_due()
        await svc.send_due()
        types = [(e.type, e.data["state"]) for e in await svc.published()]
        assert types == [
            ("notification.sms.sent", "sent"),
            ("notification.sms.delivered", "delivered"),
        ]
        sent = (await svc.published("notification.sms.sent"))[0]
        assert sent.data | {"message_id": None} == {
            "message_id": None,
            "reference": None,
            "segments": 1,
            "encoding": "ucs2",
            "provider": "sandbox",
            "state": "sent",
            "template_key": "request.status_changed.cancelled",
            "attempts": 1,
        }
        assert sent.subject == str(message_id)


async def test_the_total_per_recipient_hour_is_respected(database_url: str, tmp_path: Path) -> None:
    limits: dict[str, Any] = {"recipient_total_per_hour": 5, "recipient_identical_per_hour": 3}
    async with running(database_url, tmp_path, **limits) as svc:
        ids = [await queue(svc, CITIZEN, f"21-26-000000{n}-0") for n in range(6)]
        await svc.send_due()
        assert len(svc.sandbox.messages_to(CITIZEN)) == 5
        [held] = [m for m in await svc.messages() if m.sent_at is None]
        assert held.id == ids[-1]
        assert (held.state, held.error_code) == ("created", "recipient_limit")
        assert held.next_attempt_at == svc.clock() + timedelta(minutes=5)
        await queue(svc, "01112345678")  # another citizen is not held back
        await svc.send_due()
        assert len(svc.sandbox.messages_to("+201112345678")) == 1
        svc.clock.advance(minutes=61)
        await svc.send_due()
        assert len(svc.sandbox.messages_to(CITIZEN)) == 6


async def test_identical_messages_beyond_the_limit_are_dropped(
    database_url: str, tmp_path: Path
) -> None:
    limits: dict[str, Any] = {"recipient_total_per_hour": 100, "recipient_identical_per_hour": 3}
    async with running(database_url, tmp_path, **limits) as svc:
        ids = [await queue(svc, CITIZEN) for _ in range(4)]
        await svc.send_due()
        assert len(svc.sandbox.messages_to(CITIZEN)) == 3
        [dropped] = await svc.messages(id=ids[-1])
        assert (dropped.state, dropped.error_code) == (
            "permanent_failure",
            "recipient_identical_limit",
        )


def cairo(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=CAIRO).astimezone(UTC)


async def test_quiet_hours_hold_messages_but_not_otps(database_url: str, tmp_path: Path) -> None:
    clock = FakeClock(cairo(24, 23, 15))
    async with running(database_url, tmp_path, clock=clock) as svc:
        await svc.deliver(submitted())
        [waiting] = await svc.messages(kind="event")
        assert waiting.next_attempt_at == cairo(25, 8)
        await svc.deliver(otp_event(clock))
        await svc.send_due()
        assert [s.sms.text[:18] for s in svc.sandbox.sent] == ["محليات: رمز التحقق"]
        clock.now = cairo(25, 7, 59)
        await svc.send_due()
        assert len(svc.sandbox.sent) == 1
        clock.now = cairo(25, 8)
        await svc.send_due()
        assert len(svc.sandbox.sent) == 2


async def test_a_retry_falling_in_quiet_hours_waits_and_keeps_its_retry_window(
    database_url: str, tmp_path: Path
) -> None:
    clock = FakeClock(cairo(24, 21, 59))
    async with running(database_url, tmp_path, clock=clock, **RETRIES) as svc:
        message_id = await queue(svc, TEMPORARY_FAILURE_NUMBER)
        await svc.send_due()  # 21:59: fails, retry at 22:00 — quiet
        clock.now = cairo(24, 22, 0)
        await svc.send_due()
        [waiting] = await svc.messages(id=message_id)
        assert waiting.next_attempt_at == cairo(25, 8)
        assert waiting.final_at is None
        assert waiting.deadline_at == cairo(24, 22, 59) + timedelta(hours=10)
        clock.now = cairo(25, 8)
        await svc.send_due()
        [retried] = await svc.messages(id=message_id)
        assert (retried.attempts, retried.final_at) == (2, None)


async def test_otps_go_first(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path, sender_batch_size=1) as svc:
        for n in range(3):
            await queue(svc, "01112345678", f"21-26-000000{n}-0")
        await svc.deliver(otp_event(svc.clock))
        await svc.sender.run_once()
        [first] = list(svc.sandbox.sent)
        assert first.sms.to == CITIZEN
        assert "482913" in first.sms.text


async def test_two_senders_never_send_the_same_message(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path, sender_batch_size=7) as svc:
        for n in range(40):
            await queue(svc, f"0101234{n:04d}")
        one = svc.sender
        other_database = Database(database_url)
        try:
            # Another process: its own database connections, the same providers and clock.
            other = Sender(replace(svc.adapters, database=other_database), batch_size=5)
            await asyncio.gather(one.drain(), other.drain(), one.drain())
        finally:
            await other_database.dispose()
        sent = [entry.sms.message_id for entry in svc.sandbox.sent]
        assert len(sent) == 40
        assert len(set(sent)) == 40
        states = {m.state for m in await svc.messages()}
        assert states <= {"sent", "delivered"}


async def test_a_claim_lost_with_its_process_is_retried(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path, sending_stale_seconds=300) as svc:
        message_id = await queue(svc, CITIZEN)
        sender = svc.sender
        claimed, _ = await sender.claim()  # the process dies before sending
        assert [m["id"] for m in claimed] == [message_id]
        assert (await sender.claim())[0] == []  # nobody else takes it meanwhile
        svc.clock.advance(minutes=4)
        await svc.send_due()
        assert (await svc.messages(id=message_id))[0].state == "sending"
        svc.clock.advance(minutes=2)
        await svc.send_due()
        [message] = await svc.messages(id=message_id)
        assert message.state in ("sent", "delivered")
        assert message.attempts == 2
        assert len(svc.sandbox.messages_to(CITIZEN)) == 1


# --- resends through an HTTP provider that repeats its ids; recording in batches ----------------


async def test_a_resend_through_the_http_provider_does_not_poison_its_batch(
    database_url: str, tmp_path: Path
) -> None:
    api = FormSmsApi()  # answers SMSID 880011 to every message, a resend included
    async with running(
        database_url,
        tmp_path,
        transport=httpx.MockTransport(api),
        sms_providers=[bulk_eg()],
        sending_stale_seconds=300,
        **RETRIES,
    ) as svc:
        await svc.deliver(submitted())
        await svc.send_due()
        first = await svc.one_message()
        assert (first.state, first.provider_message_id) == ("sent", "880011")
        expired = await bulk_eg_receipt(svc, "880011", "EXPIRED")
        assert expired.json()["receipts"][0]["state"] == "temporary_failure"

        # Two more citizens, due in the same batch as the resend.
        await svc.deliver(
            submitted(phone="01112345678", tracking=TrackingNumber.build("21", "26", 1))
        )
        await svc.deliver(
            submitted(phone="01212345678", tracking=TrackingNumber.build("21", "26", 2))
        )
        svc.clock.advance(seconds=60)
        await svc.send_due()
        batch = await svc.messages()
        assert [(m.recipient, m.state, m.attempts) for m in batch] == [
            (CITIZEN, "sent", 2),
            ("+201112345678", "sent", 1),
            ("+201212345678", "sent", 1),
        ]
        assert {m.provider_message_id for m in batch} == {"880011"}
        assert all(m.sent_at == svc.clock() for m in batch)  # the limits count on it
        async with svc.database.read() as session:
            attempts = (
                await session.execute(
                    select(SmsAttempt.message_id, SmsAttempt.number, SmsAttempt.provider_message_id)
                )
            ).all()
        assert sorted((number, pid) for _, number, pid in attempts) == [
            (1, "880011"),
            (1, "880011"),
            (1, "880011"),
            (2, "880011"),
        ]

        # Nothing is left `sending` for the stale-claim recovery to send again.
        for _ in range(3):
            svc.clock.advance(minutes=10)
            await svc.send_due()
        assert len(api.requests) == 4
        sent_events = await svc.published("notification.sms.sent")
        assert sorted(e.data["attempts"] for e in sent_events) == [1, 1, 1, 2]

        # A receipt naming the repeated id is applied to one message: the latest send.
        await bulk_eg_receipt(svc, "880011", "DELIVRD")
        states = sorted(m.state for m in await svc.messages())
        assert states == ["delivered", "sent", "sent"]


async def test_every_hand_over_counts_toward_the_recipients_hourly_limit(
    database_url: str, tmp_path: Path
) -> None:
    api = FormSmsApi()
    async with running(
        database_url,
        tmp_path,
        transport=httpx.MockTransport(api),
        sms_providers=[bulk_eg()],
        recipient_total_per_hour=2,
        **RETRIES,
    ) as svc:
        await svc.deliver(submitted())
        await svc.send_due()
        await bulk_eg_receipt(svc, "880011", "EXPIRED")
        svc.clock.advance(seconds=60)
        await svc.send_due()  # the resend: the citizen's phone has had two texts this hour
        [resent] = await svc.messages()
        assert (resent.attempts, resent.sent_at) == (2, svc.clock())

        await svc.deliver(status_changed("approved"))
        await svc.send_due()
        held = (await svc.messages())[-1]
        assert (held.state, held.error_code) == ("created", "recipient_limit")
        assert len(api.requests) == 2


class ByRecipientProvider:
    """Accepts everything; its id for a message names the recipient."""

    name = "by-recipient"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, sms: OutgoingSms) -> SendResult:
        self.sent.append(sms.to)
        return SendResult("sent", f"id{sms.to}")

    async def close(self) -> None:
        return None


POISON_SQLITE = """
CREATE TRIGGER poison_attempt BEFORE INSERT ON sms_attempts
WHEN NEW.provider_message_id = 'id+201000000077'
BEGIN SELECT RAISE(ABORT, 'this row cannot be stored'); END
"""
POISON_POSTGRES = (
    """
    CREATE FUNCTION poison_attempt() RETURNS trigger AS $$
    BEGIN
      IF NEW.provider_message_id = 'id+201000000077' THEN
        RAISE EXCEPTION 'this row cannot be stored';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER poison_attempt BEFORE INSERT ON sms_attempts
    FOR EACH ROW EXECUTE FUNCTION poison_attempt()
    """,
)


async def test_a_row_that_cannot_be_recorded_does_not_hold_back_its_batch(
    database_url: str, tmp_path: Path
) -> None:
    provider = ByRecipientProvider()
    async with running(database_url, tmp_path, providers=[provider]) as svc:
        database = svc.database
        async with database.unit_of_work() as uow:
            for statement in POISON_POSTGRES if database.is_postgres else (POISON_SQLITE,):
                await uow.session.execute(text(statement))
        for phone in ("01012345678", "01000000077", "01112345678"):
            await queue(svc, phone)
        await svc.sender.run_once()
        messages = await svc.messages()
        assert {m.recipient: m.state for m in messages} == {
            CITIZEN: "sent",
            "+201000000077": "sent",  # recorded without the attempt the database refused
            "+201112345678": "sent",
        }
        assert len(await svc.published("notification.sms.sent")) == 3
        async with database.read() as session:
            recorded = set(await session.scalars(select(SmsAttempt.provider_message_id)))
        assert recorded == {f"id{CITIZEN}", "id+201112345678"}

        # Nothing is left for the stale-claim recovery to send again.
        svc.clock.advance(minutes=10)
        await svc.send_due()
        assert sorted(provider.sent) == sorted([CITIZEN, "+201000000077", "+201112345678"])


# --- the receipt wait -------------------------------------------------------------------------


async def test_a_message_whose_receipt_never_comes_is_final_after_the_receipt_wait(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path, receipt_wait_seconds=3600) as svc:
        message_id = await queue(svc, SILENT_NUMBER)  # the sandbox never sends its receipt
        await svc.send_due()
        [sent] = await svc.messages(id=message_id)
        assert (sent.state, sent.final_at) == ("sent", None)

        svc.clock.advance(minutes=59)
        await svc.send_due()
        assert (await svc.messages(id=message_id))[0].final_at is None

        svc.clock.advance(minutes=2)
        await svc.send_due()
        [final] = await svc.messages(id=message_id)
        assert (final.state, final.error_code, final.final_at) == (
            "sent",
            "no_receipt",
            svc.clock(),
        )
        read = await svc.client.get(f"{PREFIX}/messages/{message_id}", headers=svc.tokens.admin())
        assert (read.json()["state"], read.json()["final"]) == ("sent", True)
        [failed] = await svc.published("notification.sms.failed")
        assert (failed.data["state"], failed.data["error_code"]) == ("sent", "no_receipt")

        svc.clock.advance(hours=2)
        await svc.send_due()
        assert len(await svc.published("notification.sms.failed")) == 1  # once

        # A receipt that still comes: a failure changes nothing now, a delivery still counts.
        provider_id = final.provider_message_id
        assert provider_id is not None
        for status in ("temporary_failure", "permanent_failure"):
            late = await svc.webhook("receipts", receipt_body(provider_id, status))
            assert late.json()["receipts"][0]["state"] == "sent"
        delivered = await svc.webhook("receipts", receipt_body(provider_id, "delivered"))
        assert delivered.json()["receipts"][0]["state"] == "delivered"
        assert len(await svc.published("notification.sms.failed")) == 1
        assert len(await svc.published("notification.sms.delivered")) == 1


def receipt_body(provider_id: str, status: str) -> bytes:
    return json.dumps({"message_id": provider_id, "status": status}).encode()
