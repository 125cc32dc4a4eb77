"""Where document bytes live: an interface, local files by default, S3-compatible by configuration.

Documents are content-addressed by their SHA-256 (hex); the same bytes uploaded
twice are stored once. Only a well-formed digest can name a file, so no path can
be smuggled in.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class DocumentMissing(Exception):
    pass


class DocumentStoreError(Exception):
    """The store could not be reached or refused the operation (not: the document is missing).

    Every adapter raises this, never its library's own exceptions, so callers handle one type.
    """


def check_digest(digest: str) -> str:
    if not _DIGEST.fullmatch(digest):
        raise ValueError("a document is named by its SHA-256 in lower-case hex")
    return digest


class DocumentStore(Protocol):
    async def put(self, digest: str, source: Path) -> bool:
        """Store the file at ``source`` (consumed) under ``digest``; False when already there.

        What is already stored under ``digest`` is kept: it is never overwritten.
        """

    async def exists(self, digest: str) -> bool: ...

    async def read(self, digest: str) -> AsyncIterator[bytes]:
        """The bytes in chunks; raises :class:`DocumentMissing` before the first chunk."""

    async def delete(self, digest: str) -> None:
        """Remove the document; nothing happens when it is not there."""

    async def close(self) -> None: ...
