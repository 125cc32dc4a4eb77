"""argon2id hashing of staff passwords and partner secrets, off the event loop."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class PasswordHashing:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        # Hashed now, at start, with the real parameters: computing it on the first unknown
        # username would make that one answer a hash slower than a real check.
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, secret: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, secret)

    async def verify(self, hashed: str, secret: str) -> bool:
        return await asyncio.to_thread(self._verify, hashed, secret)

    def _verify(self, hashed: str, secret: str) -> bool:
        try:
            return self._hasher.verify(hashed, secret)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hashed: str) -> bool:
        return self._hasher.check_needs_rehash(hashed)

    async def verify_decoy(self, secret: str) -> None:
        """Spend the time of a real check, so an unknown name answers as slowly as a known one."""
        await self.verify(self._decoy, secret)
