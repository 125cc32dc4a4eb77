"""The service's clock: injected, so tests can move time instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from mahaliyat.db import utcnow

Clock = Callable[[], datetime]
system_clock: Clock = utcnow
