"""Who is watching which run, so that a watched run reports its operations as they happen.

``GET /executions/{id}/events`` watches an execution while it streams. The
run's recorder then writes each operation as soon as the previous write is
done (instead of every ``flush_size`` operations), and each write, like the
end of the run, wakes the watchers, who read what is stored. An unwatched
run costs one dictionary lookup per operation. In one process only: a watcher
in another process reads the store on its own schedule.

``GET /scenarios/{id}/next-execution`` watches a scenario: whoever stores a
new execution of it (the webhook gateway, a manual run, the scheduler) calls
``created``, and each scenario watcher gets the execution in its queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scenarist.store.ports import ExecutionRecord


class Progress:
    def __init__(self) -> None:
        self._watchers: dict[str, set[asyncio.Event]] = {}
        self._scenario_watchers: dict[str, set[asyncio.Queue[ExecutionRecord]]] = {}

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

    @contextmanager
    def watch_scenario(self, scenario_id: str) -> Iterator[asyncio.Queue[ExecutionRecord]]:
        """A queue that receives every execution of the scenario stored from now on."""
        created: asyncio.Queue[ExecutionRecord] = asyncio.Queue()
        self._scenario_watchers.setdefault(scenario_id, set()).add(created)
        try:
            yield created
        finally:
            watchers = self._scenario_watchers.get(scenario_id)
            if watchers is not None:
                watchers.discard(created)
                if not watchers:
                    del self._scenario_watchers[scenario_id]

    def created(self, execution: ExecutionRecord) -> None:
        """An execution was stored (queued): tell its scenario's watchers."""
        for queue in self._scenario_watchers.get(execution.scenario_id, ()):
            queue.put_nowait(execution)
