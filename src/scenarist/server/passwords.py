"""Passwords: argon2id, hashed and verified in a worker thread.

One hash costs a noticeable fraction of a second of CPU on purpose; doing it
on the event loop would stall every other request, so both operations go
through ``asyncio.to_thread``. Verifying against an unknown account still
spends the same work (against a throw-away hash), so the answer time does not
tell which e-mails are registered.
"""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 1024
"""Longer inputs are refused before hashing: they would only cost CPU."""


class Passwords:
    """argon2id hashing off the event loop; one per application."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher(type=Type.ID)
        self._decoy: str | None = None

    async def hash(self, password: str) -> str:
        """The encoded argon2id hash (salt and parameters included)."""
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, encoded: str | None, password: str) -> bool:
        """True when ``password`` matches; ``encoded=None`` spends the work and answers False."""
        if encoded is None:
            await asyncio.to_thread(self._check, await self._decoy_hash(), password)
            return False
        return await asyncio.to_thread(self._check, encoded, password)

    def _check(self, encoded: str, password: str) -> bool:
        try:
            return self._hasher.verify(encoded, password)
        except (VerificationError, InvalidHashError):
            return False

    async def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = await self.hash(secrets.token_urlsafe(16))
        return self._decoy
