"""Expression deadlines that a pause of the garbage collector does not break.

An expression has a deadline (100 ms by default), checked by the guards after
each function and operator. A collection of Python's garbage collector stops
the whole process, and one over a large heap can last longer than that: the
expression running when it starts would miss its deadline through no fault of
its own, and fail its step. :func:`overdue` therefore does not count the time
of recent collections (those that ended within :data:`WINDOW` seconds before
the deadline), which :func:`watch_collector` records.
"""

from __future__ import annotations

import gc
import time
from collections import deque
from typing import Any

from scenarist.sdk import DataError

WINDOW = 1.0
"""Collections that ended this long before a deadline or later are not counted against it."""

_PAUSES: deque[tuple[float, float]] = deque(maxlen=64)
"""(end, duration) of the latest collections, in :func:`time.monotonic` seconds."""
_started = [0.0]


def _on_collection(phase: str, info: dict[str, Any]) -> None:
    now = time.monotonic()
    if phase == "start":
        _started[0] = now
    else:
        _PAUSES.append((now, now - _started[0]))


def watch_collector() -> None:
    """Record the garbage collector's pauses (once per process, however often called)."""
    if _on_collection not in gc.callbacks:
        gc.callbacks.append(_on_collection)


def overdue(deadline: float) -> bool:
    """Whether ``deadline`` has passed, the collector's recent pauses not counted."""
    overrun = time.monotonic() - deadline
    if overrun <= 0:
        return False
    paused = sum(duration for end, duration in _PAUSES if end > deadline - WINDOW)
    return overrun > paused


def check(deadline: float) -> None:
    """Raise the expression's timeout when ``deadline`` is :func:`overdue`."""
    if overdue(deadline):
        raise DataError("the expression took too long")
