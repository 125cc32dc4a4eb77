"""Documents as files under one directory: ``<root>/ab/cd/<sha256>``."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from request_service.storage import DocumentMissing, DocumentStoreError, check_digest

CHUNK = 64 * 1024


class LocalDocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path_of(self, digest: str) -> Path:
        # A checked digest is 64 hex digits: no separator, no "..", so the path stays under
        # the (resolved) root without resolving it again (a filesystem walk per call).
        check_digest(digest)
        return self.root / digest[:2] / digest[2:4] / digest

    async def put(self, digest: str, source: Path) -> bool:
        target = self.path_of(digest)
        try:
            return await asyncio.to_thread(self._move, source, target)
        except OSError as error:
            raise DocumentStoreError(f"cannot store {digest}: {error}") from error

    @staticmethod
    def _move(source: Path, target: Path) -> bool:
        if target.exists():
            source.unlink(missing_ok=True)
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)  # atomic on one filesystem
        except OSError:
            partial = target.with_suffix(".partial")
            shutil.copyfile(source, partial)
            os.replace(partial, target)
            source.unlink(missing_ok=True)
        return True

    async def exists(self, digest: str) -> bool:
        path = self.path_of(digest)
        try:
            return stat.S_ISREG(path.stat().st_mode)
        except FileNotFoundError:
            return False
        except OSError as error:  # e.g. a file where a directory of the tree should be
            raise DocumentStoreError(f"cannot look up {digest}: {error}") from error

    async def read(self, digest: str) -> AsyncIterator[bytes]:
        path = self.path_of(digest)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise DocumentMissing(digest) from None
        except OSError as error:
            raise DocumentStoreError(f"cannot read {digest}: {error}") from error
        return _chunks(handle, digest)

    async def delete(self, digest: str) -> None:
        try:
            self.path_of(digest).unlink(missing_ok=True)
        except OSError as error:
            raise DocumentStoreError(f"cannot delete {digest}: {error}") from error

    async def close(self) -> None:
        return None


async def _chunks(handle: BinaryIO, digest: str) -> AsyncIterator[bytes]:
    with handle:
        while True:
            try:
                chunk = await asyncio.to_thread(handle.read, CHUNK)
            except OSError as error:
                raise DocumentStoreError(f"cannot read {digest}: {error}") from error
            if not chunk:
                return
            yield chunk
