"""Key storage: the port behind which the signing keyring lives.

A :class:`KeyStore` holds the keyring's JSON (``domain.keys``): :class:`FileKeyStore` in a
file, re-read when it changes, written atomically and readable by its owner only;
:class:`FixedKeyStore` in memory, from the ``MAHALIYAT_IDENTITY_SIGNING_KEYS`` setting
(or a test's keys), never changing. :class:`Keyring` is the running service's live view.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from identity_service.domain.keys import (
    KeyringError,
    SigningKey,
    dump_keyring,
    parse_keyring,
    public_jwks,
)

log = logging.getLogger(__name__)


class KeyStore(Protocol):
    """Where the keyring's JSON is kept."""

    def read(self) -> str:
        """The stored keyring (OSError when it cannot be read)."""
        ...

    def stamp(self) -> int | None:
        """Changes whenever the stored keyring does; None for a store that never changes."""
        ...


class FileKeyStore:
    """The keyring in a file (``MAHALIYAT_IDENTITY_KEYS_FILE``), shared by the replicas."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __str__(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> str:
        return self.path.read_text()

    def stamp(self) -> int | None:
        return self.path.stat().st_mtime_ns

    def write(self, text: str) -> None:
        write_private(self.path, text)

    def create(self, text: str) -> bool:
        return create_private(self.path, text)


class FixedKeyStore:
    """A keyring held in memory: the signing-keys setting, or a test's keys."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return "the signing-keys setting"

    def read(self) -> str:
        return self.text

    def stamp(self) -> int | None:
        return None


def write_private(path: Path, text: str) -> None:
    """Atomically replace ``path``; readable by its owner only."""
    _atomic_write(path, text, 0o600)


def create_private(path: Path, text: str) -> bool:
    """Create ``path`` only if it does not exist (atomically); False when another process won."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(
                temporary, path
            )  # fails if the file exists: no replica overwrites another's key
        except FileExistsError:
            return False
        return True
    finally:
        Path(temporary).unlink(missing_ok=True)


def write_public(path: Path, document: dict[str, Any]) -> None:
    _atomic_write(path, json.dumps(document, indent=2) + "\n", 0o644)


def _atomic_write(path: Path, text: str, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Keyring:
    """The live keyring of a running service.

    Re-read when its store's stamp changes (a file's modification time), checked at
    most every ``check_seconds``; every load rewrites the public JWKS file (if any).
    """

    def __init__(
        self,
        keys: Sequence[SigningKey],
        *,
        store: KeyStore | None = None,
        jwks_path: Path | None = None,
        check_seconds: float = 5.0,
    ) -> None:
        self._keys = list(keys)
        self.store: KeyStore = store or FixedKeyStore(dump_keyring(keys))
        self.jwks_path = jwks_path
        self.check_seconds = check_seconds
        self.version = 1
        self._stamp = self.store.stamp()
        self._checked_at = time.monotonic()
        self._jwks = public_jwks(self._keys)
        self._publish()

    @classmethod
    def from_settings(
        cls,
        *,
        keyring_json: str | None,
        path: Path,
        jwks_path: Path,
        check_seconds: float,
        may_generate: bool,
        now: datetime,
    ) -> Keyring:
        if keyring_json is not None:
            fixed = FixedKeyStore(keyring_json)
            return cls(parse_keyring(keyring_json), store=fixed, jwks_path=jwks_path)
        store = FileKeyStore(path)
        if not store.exists():
            if not may_generate:
                raise KeyringError(
                    f"no signing keys at {path}: create them with "
                    "`python -m identity_service rotate-keys` or set MAHALIYAT_IDENTITY_SIGNING_KEYS "
                    "(in development, MAHALIYAT_IDENTITY_GENERATE_DEV_KEYS=true generates them)"
                )
            key = SigningKey.generate(now)
            if store.create(dump_keyring([key])):
                log.warning("generated a development signing key %s in %s", key.kid, path)
            # else another replica created it first: everyone signs with that one
        try:
            keys = parse_keyring(store.read())
        except OSError as exc:
            raise KeyringError(f"cannot read the signing keys at {path}: {exc}") from exc
        return cls(keys, store=store, jwks_path=jwks_path, check_seconds=check_seconds)

    def signer(self, now: datetime) -> SigningKey:
        """The first key active at ``now``."""
        self.refresh()
        return next((key for key in self._keys if key.is_active(now)), self._keys[0])

    @property
    def keys(self) -> tuple[SigningKey, ...]:
        self.refresh()
        return tuple(self._keys)

    def jwks(self) -> dict[str, Any]:
        self.refresh()
        return self._jwks

    def refresh(self, *, force: bool = False) -> bool:
        """Re-read the store if it changed; True when the keys changed."""
        if self._stamp is None:
            return False  # a store that never changes
        now = time.monotonic()
        if not force and now - self._checked_at < self.check_seconds:
            return False
        self._checked_at = now
        try:
            stamp = self.store.stamp()
            if stamp == self._stamp:
                return False
            self._stamp = stamp  # a bad file is reported once, not at every check
            keys = parse_keyring(self.store.read())
        except (OSError, KeyringError) as exc:
            # Keep signing with what we have: a broken file must not stop logins.
            log.error("keeping the current signing keys; cannot reload %s: %s", self.store, exc)
            return False
        self._keys = keys
        self._jwks = public_jwks(keys)
        self.version += 1
        log.info("signing keys reloaded; signing with %s", keys[0].kid)
        self._publish()
        return True

    def _publish(self) -> None:
        if self.jwks_path is None:
            return
        try:
            write_public(self.jwks_path, self._jwks)
        except OSError as exc:
            log.warning("cannot write the public JWKS to %s: %s", self.jwks_path, exc)
