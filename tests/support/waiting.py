"""Waiting for asynchronous outcomes without timed assertions: poll until true or give up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def eventually(
    condition: Callable[[], bool], *, timeout: float = 30.0, what: str = ""
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting{': ' + what if what else ''}")
        await asyncio.sleep(0.02)
