"""What expressions know about the run evaluating them: its time zone and execution id.

The executor opens :func:`run_scope` around a run; the date functions read
:func:`current_zone` when no zone is given, and the ``executionId`` keyword
reads :func:`current_execution_id`. Outside a run the zone is UTC and the
execution id is null. The scope is a :class:`~contextvars.ContextVar`, so
concurrent runs (each in its own task) never see each other's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = ["RunScope", "current_execution_id", "current_zone", "run_scope"]


@dataclass(frozen=True, slots=True)
class RunScope:
    """The time zone and execution id of the run being evaluated."""

    zone: tzinfo = UTC
    execution_id: str | None = None


_DEFAULT = RunScope()
_CURRENT: ContextVar[RunScope] = ContextVar("scenarist_run_scope", default=_DEFAULT)


@lru_cache(maxsize=512)
def _named_zone(name: str) -> tzinfo:
    return UTC if name == "UTC" else ZoneInfo(name)


@contextmanager
def run_scope(zone: tzinfo | str = UTC, execution_id: str | None = None) -> Iterator[RunScope]:
    """Evaluate expressions inside the block with ``zone`` (a zone or its IANA name) and
    ``execution_id``."""
    scope = RunScope(_named_zone(zone) if isinstance(zone, str) else zone, execution_id)
    token = _CURRENT.set(scope)
    try:
        yield scope
    finally:
        _CURRENT.reset(token)


def current_zone() -> tzinfo:
    """The time zone of the run being evaluated (UTC outside a run)."""
    return _CURRENT.get().zone


def current_execution_id() -> str | None:
    """The id of the execution being evaluated (null outside a run)."""
    return _CURRENT.get().execution_id
