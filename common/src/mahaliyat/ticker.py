"""A background loop that runs one async step every ``interval`` seconds until stopped.

Services start it in an ``on_start`` hook and stop it in an ``on_stop`` hook of their
``ServiceRuntime`` (docs/CONVENTIONS.md). ``wake()`` runs the step now instead of at the
next tick (tests, and after a clock change). A step that raises is logged and tried
again at the next tick; the loop only ends when stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Ticker:
    def __init__(
        self,
        name: str,
        step: Callable[[], Awaitable[object]],
        interval: float,
        *,
        first_step_at_start: bool = True,
    ) -> None:
        self.name = name
        self.step = step
        self.interval = interval
        self.first_step_at_start = first_step_at_start
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        if not self.first_step_at_start:
            await self._sleep()
        while True:
            try:
                await self.step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s failed; trying again at the next tick", self.name)
            await self._sleep()

    async def _sleep(self) -> None:
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.interval):
                await self._wake.wait()
        self._wake.clear()
