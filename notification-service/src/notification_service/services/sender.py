"""The sender: claims due messages, hands them to the providers, records what happened.

One round (:meth:`Sender.run_once`): (1) in one transaction, take up to
``batch_size`` due messages, OTPs first, and claim them (services/claiming);
(2) send them concurrently, outside any transaction (services/handover); (3) in
one transaction, record the attempts and new states with their events
(services/recording). Should that transaction fail, each message is recorded in a
transaction of its own (without its attempts, if those are what fails), so one bad
row cannot leave a whole batch ``sending`` to be sent again.

The rounds run on a :class:`mahaliyat.ticker.Ticker`: every ``sender_poll_seconds``,
at once when woken (a commit that queued a message wakes it), and again without
waiting while rounds come back full.

Housekeeping, at most once a minute per process (services/housekeeping): lost
claims, sends never confirmed by a receipt, expired webhook replay keys; receipts
the providers hold are collected every round.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError

from mahaliyat.ticker import Ticker
from notification_service.adapters import Adapters
from notification_service.providers.base import PollsReceipts
from notification_service.services import housekeeping, receipts, replays
from notification_service.services.claiming import claim_due
from notification_service.services.handover import Handed, hand_over
from notification_service.services.recording import record_handed

log = logging.getLogger(__name__)

CHORE_EVERY = timedelta(seconds=60)


class Sender:
    def __init__(self, adapters: Adapters, *, batch_size: int | None = None) -> None:
        self.adapters = adapters
        self.database = adapters.database
        settings = adapters.settings
        self.batch_size = settings.sender_batch_size if batch_size is None else batch_size
        self.concurrency = settings.sender_concurrency
        self.stale_after = timedelta(seconds=settings.sending_stale_seconds)
        self.receipt_wait = timedelta(seconds=settings.receipt_wait_seconds)
        self.ticker = Ticker("sms-sender", self._step, settings.sender_poll_seconds)
        self._chores_done_at: dict[str, datetime] = {}

    # --- the loop -------------------------------------------------------------------------

    def wake(self) -> None:
        self.ticker.wake()

    @property
    def is_running(self) -> bool:
        return self.ticker.running

    def start(self) -> None:
        self.ticker.start()

    async def stop(self) -> None:
        await self.ticker.stop()

    async def _step(self) -> None:
        # A full round means more are due: the next goes at once, not at the next tick.
        while await self.run_once() >= self.batch_size:
            pass

    async def run_once(self) -> int:
        """One round; returns how many messages it took up (sent, put off or given up)."""
        await self.recover_stale_claims()
        claimed, handled = await self.claim()
        if claimed:
            handed = await hand_over(self.adapters, claimed, concurrency=self.concurrency)
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

    # --- the steps, each in its own transaction ---------------------------------------------

    async def claim(self) -> tuple[list[dict[str, Any]], int]:
        async with self.database.unit_of_work() as uow:
            return await claim_due(
                uow.session,
                self.adapters,
                batch_size=self.batch_size,
                postgres=self.database.is_postgres,
            )

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
            await record_handed(
                uow.session,
                self.adapters,
                handed,
                postgres=self.database.is_postgres,
                with_attempts=with_attempts,
            )

    async def collect_receipts(self) -> int:
        applied = 0
        for provider in self.adapters.pool.providers:
            if not isinstance(provider, PollsReceipts):
                continue
            held = await provider.poll_receipts()
            if not held:
                continue
            async with self.database.unit_of_work() as uow:
                await receipts.apply(uow.session, self.adapters, provider.name, held)
            applied += len(held)
        return applied

    # --- housekeeping -------------------------------------------------------------------------

    def _chore_due(self, name: str, every: timedelta, now: datetime) -> bool:
        """Whether housekeeping ``name`` is due (at most once per ``every``); marks it done."""
        done_at = self._chores_done_at.get(name)
        if done_at is not None and now - done_at < every:
            return False
        self._chores_done_at[name] = now
        return True

    async def recover_stale_claims(self) -> int:
        now = self.adapters.now()
        if not self._chore_due("stale_claims", min(self.stale_after / 4, CHORE_EVERY), now):
            return 0
        async with self.database.unit_of_work() as uow:
            count = await housekeeping.release_stale_claims(uow.session, self.adapters, now)
        if count:
            log.warning("%d SMS claims were lost with their process; they will be retried", count)
        return count

    async def close_unconfirmed(self) -> int:
        """Make final the messages sent longer than ``receipt_wait`` ago without a receipt."""
        now = self.adapters.now()
        if not self._chore_due("unconfirmed", min(self.receipt_wait / 4, CHORE_EVERY), now):
            return 0
        async with self.database.unit_of_work() as uow:
            count = await housekeeping.close_unconfirmed(
                uow.session,
                self.adapters,
                now,
                limit=self.batch_size,
                postgres=self.database.is_postgres,
            )
        if not count:
            return 0
        if count >= self.batch_size:
            self._chores_done_at.pop("unconfirmed", None)  # more are waiting: next round too
        log.info("%d SMS got no receipt within %s; they are final", count, self.receipt_wait)
        return count

    async def purge_replays(self) -> int:
        now = self.adapters.now()
        if not self._chore_due("replays", CHORE_EVERY, now):
            return 0
        async with self.database.unit_of_work() as uow:
            return await replays.purge(uow.session, self.adapters, now)
