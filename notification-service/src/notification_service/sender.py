"""The sender: claims due messages, hands them to the providers, records what happened.

One round: (1) in one transaction, take up to ``batch_size`` due messages, OTPs
first (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite writers are serialised),
give up on those past their deadline, put off those in quiet hours or over a
recipient's hourly limit, and mark the rest ``sending`` with a claim token — a
conditional UPDATE, so two replicas never take the same message; (2) send them
concurrently, outside any transaction; (3) in one transaction, record the
attempts and new states (only where the claim is still ours) with their events.
Should that transaction fail, each message is recorded in a transaction of its
own (without its attempts, if those are what fails), so one bad row cannot leave
a whole batch ``sending`` to be sent again.
Every attempt carries its own reference (``<message id>-<attempt>``).

Housekeeping, at most once a minute per process: a claim left ``sending`` longer
than ``stale_after`` belonged to a process that died; the message becomes a
technical failure due at once (the provider may have taken it: at least once,
never silently lost). A message ``sent`` longer than ``receipt_wait`` ago with no
receipt is made final (still ``sent``, error ``no_receipt``) and its
``notification.sms.failed`` published. Expired webhook replay keys are purged.
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
from sqlalchemy.exc import DBAPIError

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
from notification_service.replays import ReplayStore
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
CHORE_EVERY = timedelta(seconds=60)
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
        receipt_wait: timedelta = timedelta(hours=24),
        replays: ReplayStore | None = None,
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
        self.receipt_wait = receipt_wait
        self.replays = replays
        self._signal = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._chores_done_at: dict[str, datetime] = {}

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
        """One round; returns how many messages it took up (sent, put off or given up)."""
        await self.recover_stale_claims()
        claimed, handled = await self.claim()
        if claimed:
            handed = await asyncio.gather(*self._send_all(claimed))
            await self.record(handed)
        await self.collect_receipts()
        handled += await self.close_unconfirmed()
        await self.purge_replays()
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
        """What each recipient was handed in the last hour: in all, and per identical body.

        Every hand-over counts, a resend too (the phone gets each one). A message handed
        over in the last hour has its ``sent_at`` in it, which keeps the join small.
        """
        since = now - HOUR
        rows = await session.execute(
            select(SmsMessage.recipient, SmsMessage.body_digest, func.count())
            .select_from(SmsMessage)
            .join(SmsAttempt, SmsAttempt.message_id == SmsMessage.id)
            .where(
                SmsMessage.recipient.in_(recipients),
                SmsMessage.sent_at >= since,
                SmsAttempt.outcome == "sent",
                SmsAttempt.finished_at >= since,
            )
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
            attempt=message["attempts"],
        )
        outcome = await self.pool.send(sms)
        if code is not None:
            outcome = _without_code(outcome, code)
        return Handed(message, outcome, layout, started, self.clock())

    # --- 3. record ------------------------------------------------------------------------

    async def record(self, handed: Sequence[Handed]) -> None:
        """Record a batch in one transaction; should that fail, each message in its own.

        A message whose attempts cannot be stored is still recorded without them (its
        state, its event): left ``sending``, the stale-claim recovery would send it again
        and again, and its unrecorded hand-overs would escape the recipient limits.
        """
        try:
            await self._record(handed)
            return
        except DBAPIError:
            log.exception(
                "recording %d SMS hand-overs together failed; recording them one by one",
                len(handed),
            )
        for item in handed:
            message_id = item.message["id"]
            for with_attempts in (True, False):
                try:
                    await self._record([item], with_attempts=with_attempts)
                except DBAPIError:
                    log.exception(
                        "the hand-over of SMS %s could not be recorded%s",
                        message_id,
                        "" if with_attempts else ", even without its attempts",
                    )
                    continue
                if not with_attempts:
                    log.error("SMS %s recorded without its attempts", message_id)
                break

    async def _record(self, handed: Sequence[Handed], *, with_attempts: bool = True) -> None:
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
                message = current.get(claimed["id"])
                for provider, result in item.outcome.tried:
                    MESSAGES_SENT.labels(result.outcome).inc()
                    if message is not None and with_attempts:  # (a purged message keeps none)
                        attempts.append(_attempt_row(claimed, provider, result, item))
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
                if (
                    with_attempts
                    and message["state"] == MessageState.SENT.value
                    and message["provider_message_id"]
                ):
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
                provider_message_id=fitted(result.provider_message_id, PROVIDER_ID_LENGTH),
                sent_at=now,
                next_attempt_at=None,
                error_code=None,
                error_detail=None,
            )
            return sms_event(SENT, message, time=now)
        message["error_code"] = fitted(result.error_code, ERROR_CODE_LENGTH)
        message["error_detail"] = fitted(result.error_detail, ERROR_DETAIL_LENGTH)
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

    def _chore_due(self, name: str, every: timedelta, now: datetime) -> bool:
        """Whether housekeeping ``name`` is due (at most once per ``every``); marks it done."""
        done_at = self._chores_done_at.get(name)
        if done_at is not None and now - done_at < every:
            return False
        self._chores_done_at[name] = now
        return True

    async def recover_stale_claims(self) -> int:
        now = self.clock()
        if not self._chore_due("stale_claims", min(self.stale_after / 4, CHORE_EVERY), now):
            return 0
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

    async def close_unconfirmed(self) -> int:
        """Make final the messages sent longer than ``receipt_wait`` ago without a receipt.

        They stay ``sent`` (the provider took them; whether they arrived is unknown), with
        error ``no_receipt``; ``notification.sms.failed`` says they ended undelivered. A
        delivery receipt that still comes marks them delivered.
        """
        now = self.clock()
        if not self._chore_due("unconfirmed", min(self.receipt_wait / 4, CHORE_EVERY), now):
            return 0
        async with self.database.unit_of_work() as uow:
            session = uow.session
            query = (
                select(*MESSAGE_COLUMNS)
                .where(
                    SmsMessage.state == MessageState.SENT.value,
                    SmsMessage.final_at.is_(None),
                    SmsMessage.sent_at <= now - self.receipt_wait,
                )
                .order_by(SmsMessage.sent_at, SmsMessage.id)
                .limit(self.batch_size)
            )
            if self.database.is_postgres:
                query = query.with_for_update(skip_locked=True)
            expired = [dict(row._mapping) for row in await session.execute(query)]
            if not expired:
                return 0
            for message in expired:
                message["error_code"] = "no_receipt"
                message["error_detail"] = None
                finish(message, MessageState.SENT, now)
            await save_messages(session, expired)
            await record(session, *(sms_event(FAILED, m, time=now) for m in expired))
        if len(expired) >= self.batch_size:
            self._chores_done_at.pop("unconfirmed", None)  # more are waiting: next round too
        log.info("%d SMS got no receipt within %s; they are final", len(expired), self.receipt_wait)
        return len(expired)

    async def purge_replays(self) -> int:
        if self.replays is None:
            return 0
        now = self.clock()
        if not self._chore_due("replays", CHORE_EVERY, now):
            return 0
        async with self.database.unit_of_work() as uow:
            return await self.replays.purge(uow.session, now)


# Column lengths (models.py): what a provider answers is cut to fit, never fails the record.
PROVIDER_ID_LENGTH, ERROR_CODE_LENGTH, ERROR_DETAIL_LENGTH = 200, 50, 500


def fitted(text: str | None, length: int) -> str | None:
    """``text`` as it can be stored: without NUL characters (PostgreSQL refuses them), cut
    to ``length``; None when nothing is left."""
    if text is None:
        return None
    return text.replace("\x00", "")[:length] or None


def _attempt_row(
    message: dict[str, Any], provider: str, result: SendResult, item: Handed
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "message_id": message["id"],
        "number": message["attempts"],
        "provider": provider,
        "provider_message_id": fitted(result.provider_message_id, PROVIDER_ID_LENGTH),
        "outcome": result.outcome,
        "error_code": fitted(result.error_code, ERROR_CODE_LENGTH),
        "error_detail": fitted(result.error_detail, ERROR_DETAIL_LENGTH),
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
