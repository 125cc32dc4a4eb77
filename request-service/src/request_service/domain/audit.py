"""The hash chain of the audit log: each entry's hash covers the previous hash and the entry.

``hash = SHA-256(previous_hash_hex + canonical_json(entry))``, the entry including
its position ``seq``; the first entry's previous hash is 64 zeros. The sealer
(services/sealer.py) computes the links; editing, deleting or reordering a sealed
entry breaks every link from there on, and :class:`ChainVerifier` names the first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical_json(entry: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, UTF-8 kept, timestamps ISO 8601 UTC."""
    return json.dumps(
        entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def chain_hash(previous: str, entry: Mapping[str, Any]) -> str:
    return hashlib.sha256((previous + canonical_json(entry)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainedEntry:
    seq: int
    content: Mapping[str, Any]  # everything hashed (seq included)
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class BrokenLink:
    seq: int
    # missing_entry | prev_hash_mismatch | hash_mismatch | checkpoint_mismatch | head_mismatch
    problem: str
    expected: str
    found: str


@dataclass
class ChainVerifier:
    """Feed entries in ``seq`` order; the first broken link is kept.

    ``checkpoints`` (seq → hash) are heads published earlier: the chain must still
    pass through each, or it was rewritten since (``checkpoint_mismatch``).
    """

    previous: str = GENESIS
    expected_seq: int = 1
    checked: int = 0
    broken: BrokenLink | None = None
    checkpoints: Mapping[int, str] = field(default_factory=dict)

    def feed(self, entries: Iterable[ChainedEntry]) -> None:
        for entry in entries:
            if self.broken is not None:
                return
            self.checked += 1
            if entry.seq != self.expected_seq:
                self.broken = BrokenLink(
                    self.expected_seq, "missing_entry", str(self.expected_seq), str(entry.seq)
                )
                return
            if entry.prev_hash != self.previous:
                self.broken = BrokenLink(
                    entry.seq, "prev_hash_mismatch", self.previous, entry.prev_hash
                )
                return
            recomputed = chain_hash(self.previous, entry.content)
            if recomputed != entry.hash:
                self.broken = BrokenLink(entry.seq, "hash_mismatch", recomputed, entry.hash)
                return
            published = self.checkpoints.get(entry.seq)
            if published is not None and published != entry.hash:
                self.broken = BrokenLink(entry.seq, "checkpoint_mismatch", published, entry.hash)
                return
            self.previous = entry.hash
            self.expected_seq += 1

    def finish(self, head_seq: int, head_hash: str) -> BrokenLink | None:
        """Compare the end of the chain with the head row (a truncated tail, or rows past it)."""
        last = self.expected_seq - 1
        beyond = sorted(seq for seq in self.checkpoints if seq > last)
        if self.broken is None and beyond:
            # A checkpoint past the end: the chain was cut back below a published head.
            seq = beyond[0]
            self.broken = BrokenLink(seq, "checkpoint_mismatch", self.checkpoints[seq], "missing")
        if self.broken is None and (head_seq != last or head_hash != self.previous):
            if last < head_seq:
                seq = last + 1  # the first entry the head says exists
            elif last > head_seq:
                seq = head_seq + 1  # the first entry the sealer never wrote
            else:
                seq = head_seq  # same length, another hash: the last entry was rewritten
            self.broken = BrokenLink(
                seq, "head_mismatch", f"{head_seq}:{head_hash}", f"{last}:{self.previous}"
            )
        return self.broken
