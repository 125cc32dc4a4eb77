"""Identifiers: UUIDv7 everywhere (time-ordered, so primary-key indexes stay compact)."""

from __future__ import annotations

import uuid

from uuid_utils import compat


def new_id() -> uuid.UUID:
    """A new UUIDv7 as a standard :class:`uuid.UUID` (monotonic within the process)."""
    return compat.uuid7()
