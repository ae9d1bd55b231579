"""Fire interval and cron schedules of active scenarios.

Each scenario keeps the time of its last firing in its persistent state
(``schedule:last``), written before the run is queued: a tick fires at most
once, across restarts too. A scheduler that fell behind fires once and
catches up to the latest due time, it does not replay every missed tick.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import structlog
from croniter import CroniterError, croniter

from scenarist.engine.service import Engine
from scenarist.store.ports import ExecutionRecord, ScenarioRecord, Store
from scenarist.types import Clock, RunStatus, new_id

if TYPE_CHECKING:
    from scenarist.server.group_commit import GroupCommit
    from scenarist.server.worker import WorkerPool

log = structlog.get_logger("scenarist.scheduler")
LAST = "schedule:last"


def next_due(schedule: dict[str, Any], last: datetime | None, now: datetime) -> tuple[bool, datetime]:
    """Whether the schedule fires at ``now``, and the firing time to remember."""
    kind = schedule.get("type")
    if kind == "interval":
        period = timedelta(minutes=int(schedule["minutes"]))
        if last is None:
            return True, now
        if now < last + period:
            return False, last
        return True, last + period * ((now - last) // period)
    if kind == "cron":
        zone = ZoneInfo(schedule.get("timezone") or "UTC")
        if last is None:
            return False, now
        upcoming = croniter(schedule["expression"], last.astimezone(zone)).get_next(datetime)
        if now < upcoming:
            return False, last
        latest = croniter(schedule["expression"], now.astimezone(zone)).get_prev(datetime)
        return True, max(upcoming, latest).astimezone(UTC)
    return False, now


def upcoming(schedule: dict[str, Any], now: datetime, count: int = 5) -> list[datetime]:
    """The next ``count`` firings of a schedule that has not fired yet, as :func:`next_due` would fire
    them (an interval fires when the scenario is activated, then every N minutes; a cron schedule at its
    next times in its zone, given in that zone); none for immediately and on demand. Raises ValueError for
    a cron expression or time zone that does not hold."""
    kind = schedule.get("type")
    if kind == "interval":
        period = timedelta(minutes=int(schedule["minutes"]))
        return [now + period * k for k in range(count)]
    if kind != "cron":
        return []
    zone = ZoneInfo(schedule.get("timezone") or "UTC")
    try:
        times = croniter(schedule["expression"], now.astimezone(zone))
        return [times.get_next(datetime) for _ in range(count)]
    except (CroniterError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(str(exc) or "not a valid cron expression") from None


class Scheduler:
    def __init__(
        self, engine: Engine, store: Store, intake: GroupCommit[ExecutionRecord], workers: WorkerPool, *, clock: Clock
    ) -> None:
        self._engine = engine
        self._store = store
        self._intake = intake
        self._workers = workers
        self._clock = clock

    async def tick(self) -> list[str]:
        """Fire every schedule that is due now; the ids of the executions queued."""
        now = self._clock.now()
        fired = []
        for scenario in await self._store.list_active_scenarios():
            schedule = scenario.definition.get("schedule") or {}
            if schedule.get("type") not in ("interval", "cron"):
                continue
            execution_id = await self._consider(scenario, schedule, now)
            if execution_id:
                fired.append(execution_id)
        return fired

    async def _consider(self, scenario: ScenarioRecord, schedule: dict[str, Any], now: datetime) -> str | None:
        stored = await self._store.get_state(scenario.id, LAST)
        last = datetime.fromisoformat(stored) if isinstance(stored, str) else None
        due, remember = next_due(schedule, last, now)
        if remember != last:
            await self._store.set_state(scenario.id, LAST, remember.isoformat())
        if not due:
            return None
        execution = ExecutionRecord(
            id=new_id(), account_id=scenario.account_id, scenario_id=scenario.id, status=RunStatus.QUEUED,
            created_at=now, trigger_event="schedule",
            confidential=bool((scenario.definition.get("settings") or {}).get("confidential")),
        )
        await self._intake.submit(execution)
        self._workers.submit(execution)
        log.info("schedule fired", scenario_id=scenario.id, at=remember.isoformat())
        return execution.id
