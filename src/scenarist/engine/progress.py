"""Who is watching which run, so that a watched run reports its operations as they happen.

``GET /executions/{id}/events`` watches an execution while it streams. The
run's recorder then writes each operation as soon as the previous write is
done (instead of every ``flush_size`` operations), and each write, like the
end of the run, wakes the watchers, who read what is stored. An unwatched
run costs one dictionary lookup per operation. In one process only: a watcher
in another process reads the store on its own schedule.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


class Progress:
    def __init__(self) -> None:
        self._watchers: dict[str, set[asyncio.Event]] = {}

    def watched(self, execution_id: str) -> bool:
        return execution_id in self._watchers

    @contextmanager
    def watch(self, execution_id: str) -> Iterator[asyncio.Event]:
        """An event set whenever something of the execution was stored; clear it before reading."""
        woke = asyncio.Event()
        self._watchers.setdefault(execution_id, set()).add(woke)
        try:
            yield woke
        finally:
            watchers = self._watchers.get(execution_id)
            if watchers is not None:
                watchers.discard(woke)
                if not watchers:
                    del self._watchers[execution_id]

    def changed(self, execution_id: str) -> None:
        for woke in self._watchers.get(execution_id, ()):
            woke.set()
