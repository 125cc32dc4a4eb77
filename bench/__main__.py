"""``python -m bench [name ...]``: run benchmarks and record them in docs/benchmarks.md."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from bench import catalog, events, gateway, notification, requests
from bench.report import record

BENCHMARKS: dict[str, Callable[[], Coroutine[Any, Any, str] | str]] = {
    "events": events.run,
    "catalog": catalog.run,
    "gateway": gateway.run,
    "requests": requests.run,
    "notification": notification.run,
}


def main() -> None:
    names = sys.argv[1:] or list(BENCHMARKS)
    for name in names:
        result = BENCHMARKS[name]()
        section = result if isinstance(result, str) else asyncio.run(result)
        record(name, section)
        print(section)


main()
