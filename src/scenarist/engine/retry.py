"""When an incomplete execution is retried automatically: the engine's one ``RetryPolicy``.

An error that no handler takes is stored as an incomplete execution (with
``store_incomplete``); it is retried automatically when its type is one the
policy retries (``ConnectionError``, ``RateLimitError``, ``ModuleTimeoutError``),
else it waits for a person. A ``break`` handler stores the bundle for an
automatic retry whatever the type. Each retry that fails again counts one more
attempt: attempt ``n`` (0 for the first store) waits ``backoff[n]`` seconds (the
last wait repeats when there are more attempts than waits), and after
``attempts`` automatic retries the execution waits for a person. A rate limit
that says when to come back (``retry_after``) is taken at its word instead of
the backoff, at least ``min_delay`` and at most ``max_delay`` seconds.

The defaults are the contract's (section 3): 1 min, 10 min, 10 min, 30 min,
30 min, 30 min, 3 h, 3 h; a ``retry_after`` of at least one second, and no cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from scenarist.sdk import RETRIED_TYPES, ModuleError

BACKOFF_SECONDS: tuple[float, ...] = (60, 600, 600, 1800, 1800, 1800, 10800, 10800)
"""The contract's waits before each automatic retry of an incomplete execution."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Which errors are retried automatically, how often, and after how long (module docstring)."""

    attempts: int = len(BACKOFF_SECONDS)
    """Automatic retries of one incomplete execution; after them it waits for a person."""
    backoff: tuple[float, ...] = BACKOFF_SECONDS
    """Seconds before each retry, by attempt; the last repeats for the attempts past its end."""
    retried: frozenset[str] = RETRIED_TYPES
    """The error types (``ModuleError.type``) an unhandled error is retried for."""
    min_delay: float = 1
    """The least wait a ``retry_after`` may ask for, in seconds."""
    max_delay: float | None = None
    """The most wait a ``retry_after`` may ask for, in seconds; None: as long as the service asks."""

    def __post_init__(self) -> None:
        if self.attempts < 0:
            raise ValueError("attempts cannot be negative")
        if self.attempts and not self.backoff:
            raise ValueError("a policy that retries needs at least one backoff wait")
        if any(wait < 0 for wait in self.backoff) or self.min_delay < 0:
            raise ValueError("waits cannot be negative")
        if self.max_delay is not None and self.max_delay < self.min_delay:
            raise ValueError("max_delay is below min_delay")

    def retries(self, error: ModuleError) -> bool:
        """Whether ``error``, when no handler takes it, is retried automatically."""
        return error.type in self.retried

    def delay(self, attempts: int, retry_after: float | None = None) -> timedelta | None:
        """The wait before the next automatic retry of an incomplete execution retried ``attempts``
        times already (0: just stored), or None when it waits for a person."""
        if attempts >= self.attempts:
            return None
        if retry_after is not None:
            seconds = max(retry_after, self.min_delay)
            if self.max_delay is not None:
                seconds = min(seconds, self.max_delay)
            return timedelta(seconds=seconds)
        return timedelta(seconds=self.backoff[min(attempts, len(self.backoff) - 1)])
