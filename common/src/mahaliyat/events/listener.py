"""The relay's wake-up on PostgreSQL: a ``LISTEN`` connection on the outbox channel.

Any process that records events in the same database sends ``NOTIFY`` on commit
(:func:`mahaliyat.events.outbox.record`); the listener sets the database's
``outbox_written`` signal, which the relay waits on. A lost connection sets it too,
so the relay wakes and reopens it; while it is down the relay polls, and tries
again after a pause that doubles up to a limit.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from mahaliyat.db import Database
from mahaliyat.events.outbox import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

LISTENER_NAME = "mahaliyat-outbox-listener"  # application_name of the LISTEN connection


class OutboxListener:
    """Keeps one LISTEN connection open for a relay (PostgreSQL only; a no-op elsewhere)."""

    def __init__(
        self,
        database: Database,
        *,
        service: str,
        first_pause_seconds: float,
        max_pause_seconds: float,
        clock: Callable[[], float],
    ) -> None:
        self.database = database
        self.service = service
        self.first_pause_seconds = first_pause_seconds
        self.max_pause_seconds = max_pause_seconds
        self.clock = clock
        self._connection: Any = None
        self._pause = first_pause_seconds
        self.retry_at = float("-inf")  # when to try again after a failed open

    @property
    def listening(self) -> bool:
        """Whether a LISTEN connection is open."""
        return self._connection is not None and not self._connection.is_closed()

    async def keep_listening(self) -> None:
        """(Re)open LISTEN when it is not open, with a growing pause between tries."""
        if not self.database.is_postgres or self.listening:
            return
        if self._connection is not None:
            log.warning("outbox LISTEN connection lost; reopening", extra={"service": self.service})
            await self.close()
        now = self.clock()
        if now < self.retry_at:
            return
        try:
            await self._listen()
        except Exception as exc:  # polling still works without it
            self.retry_at = now + self._pause
            log.warning(
                "outbox LISTEN unavailable, polling; next try in %.1fs: %s",
                self._pause,
                exc,
                extra={"service": self.service},
            )
            self._pause = min(self._pause * 2, self.max_pause_seconds)
            return
        self._pause = self.first_pause_seconds
        # Rows may have been written while nobody listened; the next batch picks them up.

    async def _listen(self) -> None:
        """Wake on NOTIFY from any process writing this database."""
        import asyncpg

        signal = self.database.outbox_written
        url = self.database.url.set(drivername="postgresql")
        connection = await asyncpg.connect(
            url.render_as_string(hide_password=False),
            timeout=10,
            server_settings={"application_name": LISTENER_NAME},
        )
        try:
            await connection.add_listener(NOTIFY_CHANNEL, lambda *_: signal.set())
            # A lost connection wakes the relay, which reopens it at once.
            connection.add_termination_listener(lambda *_: signal.set())
        except BaseException:
            await connection.close(timeout=2)
            raise
        self._connection = connection

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)
