"""The sender: claims due messages, hands them to the providers, records what happened.

One round: (1) in one transaction, take up to ``batch_size`` due messages, OTPs
first (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite writers are serialised),
give up on those past their deadline, put off those in quiet hours or over a
recipient's hourly limit, and mark the rest ``sending`` with a claim token — a
conditional UPDATE, so two replicas never take the same message; (2) send them
concurrently, outside any transaction; (3) in one transaction, record the
attempts and new states (only where the claim is still ours) with their events.
A claim left ``sending`` longer than ``stale_after`` belonged to a process that
died; the message becomes a technical failure due at once (the provider may
have taken it: at least once, never silently lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Counter as Metric
from sqlalchemy import func, select, update

from mahaliyat.db import Database
from mahaliyat.events import CloudEvent, record
from mahaliyat.ids import new_id
from notification_service.domain.encoding import MessageTooLong, SmsLayout, checked_layout
from notification_service.domain.states import DUE_STATES, MessageState
from notification_service.domain.templates import TemplateError, render
from notification_service.domain.timing import RecipientLimits
from notification_service.events import FAILED, SENT, sms_event
from notification_service.messages import QUIET_HOURS_EXEMPT, Composer
from notification_service.models import SmsAttempt, SmsMessage, SmsReceipt
from notification_service.otp import MASK, OtpCipher, OtpDecryptionError
from notification_service.providers.base import OutgoingSms, PollsReceipts, SendResult
from notification_service.providers.pool import PoolResult, ProviderPool
from notification_service.receipts import (
    CHANGED,
    MESSAGE_COLUMNS,
    ReceiptBook,
    finish,
    locked_messages,
    retry_or_finish,
    save_messages,
)
from notification_service.storage import insert_rows, table_of

log = logging.getLogger(__name__)

MESSAGES_SENT = Metric("mahaliyat_sms_messages_total", "SMS hand-overs by outcome", ["outcome"])
AFTER_SEND = (
    *CHANGED,
    "provider",
    "provider_message_id",
    "sent_at",
    "segments",
    "encoding",
    "length",
    "claim_token",
)
HOUR = timedelta(hours=1)
MESSAGES = table_of(SmsMessage)
ATTEMPTS = table_of(SmsAttempt)


@dataclass(frozen=True, slots=True)
class Handed:
    """A claimed message and what the providers made of it."""

    message: dict[str, Any]
    outcome: PoolResult
    layout: SmsLayout | None
    started_at: datetime
    finished_at: datetime


class Sender:
    def __init__(
        self,
        *,
        database: Database,
        pool: ProviderPool,
        receipts: ReceiptBook,
        composer: Composer,
        otp: OtpCipher,
        clock: Callable[[], datetime],
        limits: RecipientLimits,
        sender_name: str,
        batch_size: int = 200,
        concurrency: int = 64,
        poll_seconds: float = 0.5,
        stale_after: timedelta = timedelta(minutes=5),
        limit_defer: timedelta = timedelta(minutes=5),
        retry_base_seconds: float = 30.0,
        retry_max_seconds: float = 900.0,
    ) -> None:
        self.database = database
        self.pool = pool
        self.receipts = receipts
        self.composer = composer
        self.otp = otp
        self.clock = clock
        self.limits = limits
        self.sender_name = sender_name
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.stale_after = stale_after
        self.limit_defer = limit_defer
        self.retry_base_seconds = retry_base_seconds
        self.retry_max_seconds = retry_max_seconds
        self._signal = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_recovery: datetime | None = None

    # --- the loop -------------------------------------------------------------------------

    def wake(self) -> None:
        self._signal.set()

    @property
    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="sms-sender")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        while True:
            try:
                handled = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("SMS sender round failed; trying again")
                handled = 0
            if handled >= self.batch_size:
                continue
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel (stop()).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._signal.wait()
            self._signal.clear()

    async def run_once(self) -> int:
        """One round; returns how many due messages it took up (sent, put off or given up)."""
        await self.recover_stale_claims()
        claimed, handled = await self.claim()
        if claimed:
            handed = await asyncio.gather(*self._send_all(claimed))
            await self.record(handed)
        await self.collect_receipts()
        return handled

    async def drain(self, rounds: int = 1000) -> int:
        """Run rounds until nothing is due (tests and the benchmark)."""
        total = 0
        for _ in range(rounds):
            handled = await self.run_once()
            total += handled
            if handled == 0:
                break
        return total

    # --- 1. claim -------------------------------------------------------------------------

    async def claim(self) -> tuple[list[dict[str, Any]], int]:
        async with self.database.unit_of_work() as uow:
            session = uow.session
            now = self.clock()
            query = (
                select(*MESSAGE_COLUMNS)
                .where(
                    SmsMessage.state.in_([s.value for s in DUE_STATES]),
                    SmsMessage.next_attempt_at.is_not(None),
                    SmsMessage.next_attempt_at <= now,
                )
                .order_by(SmsMessage.priority, SmsMessage.next_attempt_at, SmsMessage.id)
                .limit(self.batch_size)
            )
            if self.database.is_postgres:
                query = query.with_for_update(skip_locked=True)
            due = [dict(row._mapping) for row in await session.execute(query)]
            if not due:
                return [], 0
            totals, identical = await self._traffic(session, {m["recipient"] for m in due}, now)
            ready: list[dict[str, Any]] = []
            changed: list[dict[str, Any]] = []
            events: list[CloudEvent] = []
            quiet = self.composer.quiet_hours
            for message in due:
                if now >= message["deadline_at"]:
                    state = MessageState(message["state"])
                    if state == MessageState.CREATED:  # never handed over: it will not be now
                        state = MessageState.PERMANENT_FAILURE
                        message["error_code"] = (
                            "expired" if message["kind"] == "otp" else "deadline_passed"
                        )
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
                verdict = self.limits.verdict(
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
                    retry_at = now + self.limit_defer
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
            await save_messages(session, changed)
            claimed = await self._mark_sending(session, ready, now)
            if events:
                await record(session, *events)
        return claimed, len(due)

    async def _traffic(
        self, session: Any, recipients: set[str], now: datetime
    ) -> tuple[Counter[str], Counter[tuple[str, str]]]:
        """What each recipient was sent in the last hour: in all, and per identical body."""
        rows = await session.execute(
            select(SmsMessage.recipient, SmsMessage.body_digest, func.count())
            .where(SmsMessage.recipient.in_(recipients), SmsMessage.sent_at >= now - HOUR)
            .group_by(SmsMessage.recipient, SmsMessage.body_digest)
        )
        totals: Counter[str] = Counter()
        identical: Counter[tuple[str, str]] = Counter()
        for recipient, body, count in rows:
            totals[recipient] += count
            identical[(recipient, body)] += count
        return totals, identical

    async def _mark_sending(
        self, session: Any, ready: list[dict[str, Any]], now: datetime
    ) -> list[dict[str, Any]]:
        if not ready:
            return []
        token = new_id()
        table = MESSAGES
        result = await session.execute(
            update(table)
            .where(
                table.c.id.in_([m["id"] for m in ready]),
                table.c.state.in_([s.value for s in DUE_STATES]),
            )
            .values(
                state=MessageState.SENDING.value,
                claim_token=token,
                claimed_at=now,
                attempts=table.c.attempts + 1,
                updated_at=now,
            )
            .returning(table.c.id)
        )
        taken = set(result.scalars())
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

    # --- 2. send --------------------------------------------------------------------------

    def _send_all(self, claimed: Sequence[dict[str, Any]]) -> list[Any]:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(message: dict[str, Any]) -> Handed:
            async with gate:
                return await self._send(message)

        return [one(message) for message in claimed]

    async def _send(self, message: dict[str, Any]) -> Handed:
        started = self.clock()
        code: str | None = None
        try:
            if message["otp_ciphertext"] is not None:
                code = self.otp.decrypt(message["otp_ciphertext"], message["otp_challenge_id"])
                text = render(message["body_template"], {"code": code})
            else:
                text = message["body"]
            layout = checked_layout(text, self.composer.max_segments)
        except (OtpDecryptionError, TemplateError, MessageTooLong) as exc:
            reason = "otp_unreadable" if isinstance(exc, OtpDecryptionError) else "unsendable"
            refused = SendResult("permanent_failure", None, reason, str(exc)[:300])
            pool_result = PoolResult("-", refused, ())
            return Handed(message, pool_result, None, started, self.clock())
        sms = OutgoingSms(
            message_id=message["id"],
            to=message["recipient"],
            text=text,
            sender=self.sender_name,
            encoding=layout.encoding,
            segments=layout.segments,
            language=message["language"],
        )
        outcome = await self.pool.send(sms)
        if code is not None:
            outcome = _without_code(outcome, code)
        return Handed(message, outcome, layout, started, self.clock())

    # --- 3. record ------------------------------------------------------------------------

    async def record(self, handed: Sequence[Handed]) -> None:
        async with self.database.unit_of_work() as uow:
            session = uow.session
            now = self.clock()
            current = await locked_messages(
                session, [h.message["id"] for h in handed], postgres=self.database.is_postgres
            )
            attempts: list[dict[str, Any]] = []
            changed: list[dict[str, Any]] = []
            events: list[CloudEvent] = []
            sent: dict[str, list[str]] = {}
            for item in handed:
                claimed = item.message
                for provider, result in item.outcome.tried:
                    attempts.append(_attempt_row(claimed, provider, result, item))
                    MESSAGES_SENT.labels(result.outcome).inc()
                message = current.get(claimed["id"])
                if (
                    message is None
                    or message["state"] != MessageState.SENDING.value
                    or message["claim_token"] != claimed["claim_token"]
                ):
                    continue  # a receipt or a stale-claim recovery got there first
                event = self._apply(message, item, now)
                changed.append(message)
                if event is not None:
                    events.append(event)
                if message["state"] == MessageState.SENT.value and message["provider_message_id"]:
                    sent.setdefault(message["provider"], []).append(message["provider_message_id"])
            await insert_rows(session, ATTEMPTS, attempts)
            await save_messages(session, changed, AFTER_SEND)
            if events:
                await record(session, *events)
            for provider, provider_ids in sent.items():
                early = await session.scalars(
                    select(SmsReceipt.provider_message_id).where(
                        SmsReceipt.provider == provider,
                        SmsReceipt.provider_message_id.in_(provider_ids),
                        SmsReceipt.applied_at.is_(None),
                    )
                )
                waiting = list(early)
                if waiting:
                    await self.receipts.apply_pending(session, provider, waiting)

    def _apply(self, message: dict[str, Any], item: Handed, now: datetime) -> CloudEvent | None:
        result = item.outcome.result
        if item.layout is not None:
            message["segments"] = item.layout.segments
            message["encoding"] = item.layout.encoding
            message["length"] = item.layout.units
        message["provider"] = item.outcome.provider if item.outcome.tried else None
        message["claim_token"] = None
        message["updated_at"] = now
        if result.outcome == "sent":
            message.update(
                state=MessageState.SENT.value,
                provider_message_id=result.provider_message_id,
                sent_at=now,
                next_attempt_at=None,
                error_code=None,
                error_detail=None,
            )
            return sms_event(SENT, message, time=now)
        message["error_code"] = result.error_code
        message["error_detail"] = (result.error_detail or "")[:500] or None
        if result.outcome == "permanent_failure":
            finish(message, MessageState.PERMANENT_FAILURE, now)
            return sms_event(FAILED, message, time=now)
        gave_up = retry_or_finish(
            message,
            MessageState(result.outcome),
            now,
            base_seconds=self.retry_base_seconds,
            max_seconds=self.retry_max_seconds,
        )
        return sms_event(FAILED, message, time=now) if gave_up else None

    # --- receipts the providers hold, and lost claims --------------------------------------

    async def collect_receipts(self) -> int:
        applied = 0
        for provider in self.pool.providers:
            if not isinstance(provider, PollsReceipts):
                continue
            receipts = await provider.poll_receipts()
            if not receipts:
                continue
            async with self.database.unit_of_work() as uow:
                await self.receipts.apply(uow.session, provider.name, receipts)
            applied += len(receipts)
        return applied

    async def recover_stale_claims(self) -> int:
        now = self.clock()
        every = min(self.stale_after / 4, timedelta(seconds=60))
        if self._last_recovery is not None and now - self._last_recovery < every:
            return 0
        self._last_recovery = now
        async with self.database.unit_of_work() as uow:
            result = await uow.session.execute(
                update(SmsMessage)
                .where(
                    SmsMessage.state == MessageState.SENDING.value,
                    SmsMessage.claimed_at < now - self.stale_after,
                )
                .values(
                    state=MessageState.TECHNICAL_FAILURE.value,
                    next_attempt_at=now,
                    claim_token=None,
                    error_code="claim_lost",
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            log.warning("%d SMS claims were lost with their process; they will be retried", count)
        return count


def _attempt_row(
    message: dict[str, Any], provider: str, result: SendResult, item: Handed
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "message_id": message["id"],
        "number": message["attempts"],
        "provider": provider,
        "provider_message_id": result.provider_message_id,
        "outcome": result.outcome,
        "error_code": result.error_code,
        "error_detail": (result.error_detail or "")[:500] or None,
        "started_at": item.started_at,
        "finished_at": item.finished_at,
    }


def _without_code(outcome: PoolResult, code: str) -> PoolResult:
    """Provider answers are stored; make sure none of them repeats an OTP in clear."""

    def clean(result: SendResult) -> SendResult:
        if result.error_detail and code in result.error_detail:
            return SendResult(
                result.outcome,
                result.provider_message_id,
                result.error_code,
                result.error_detail.replace(code, MASK),
            )
        return result

    return PoolResult(
        outcome.provider,
        clean(outcome.result),
        tuple((name, clean(result)) for name, result in outcome.tried),
    )
