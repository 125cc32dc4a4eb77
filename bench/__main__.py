"""``python -m bench [name ...]``: run benchmarks and record them in docs/benchmarks.md."""

from __future__ import annotations

import asyncio
import sys

from bench import events
from bench.report import record

BENCHMARKS = {"events": events.run}


def main() -> None:
    names = sys.argv[1:] or list(BENCHMARKS)
    for name in names:
        section = asyncio.run(BENCHMARKS[name]())
        record(name, section)
        print(section)


main()
