"""The shapes everything else builds on.

- ``JSON``: any value that survives ``json.dumps``.
- ``Bundle``: one unit of data flowing between modules (a JSON object).
- ids are strings: 32 hex digits, time-ordered (``new_id``).
- ``Clock``: where "now" comes from; inject a ``ManualClock`` in tests.
- ``RunStatus``: the life of an execution, as contract section 3 names it.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, TypeAlias

JSON: TypeAlias = Any
Bundle: TypeAlias = dict[str, Any]
ScenarioId: TypeAlias = str
ExecutionId: TypeAlias = str
AccountId: TypeAlias = str

LOCAL_ACCOUNT: AccountId = "local"
"""The account that owns scenarios run from the command line."""


def new_id() -> str:
    """A fresh id, 32 hex digits: 48 bits of Unix milliseconds, then 80 random bits.

    Time-ordered ids keep the store's indexes append-mostly (twice the insert
    rate of random ids on SQLite); 80 random bits keep them unguessable.
    Secrets (webhook tokens, session ids, API tokens) use their own 256-bit values.
    """
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"
    INCOMPLETE = "incomplete"
    CANCELLED = "cancelled"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to; for tests."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | float) -> None:
        self._now += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)

    def set(self, when: datetime) -> None:
        self._now = when
