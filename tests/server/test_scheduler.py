"""Interval and cron schedules, on an injected clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scenarist.server.runtime import Runtime
from scenarist.server.scheduler import next_due
from scenarist.types import ManualClock
from tests.server.conftest import make_settings

START = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def runtime(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Runtime]:
    rt = Runtime(make_settings(tmp_path), clock=clock, timers=False)
    await rt.start()
    yield rt
    await rt.stop()


async def scheduled(rt: Runtime, schedule: dict[str, Any], active: bool = True) -> str:
    definition = {"name": "tick", "trigger": {"id": "n", "module": "tools.increment"}, "schedule": schedule}
    record = await rt.engine.save_scenario(definition, account_id="acct", active=active)
    return record.id


async def test_interval_fires_at_once_then_every_n_minutes(runtime: Runtime, clock: ManualClock) -> None:
    await scheduled(runtime, {"type": "interval", "minutes": 15})
    fired = [len(await runtime.scheduler.tick())]
    for _ in range(4):
        clock.advance(timedelta(minutes=5))
        fired.append(len(await runtime.scheduler.tick()))
    assert fired == [1, 0, 0, 1, 0]


async def test_a_tick_fires_once_even_when_asked_twice(runtime: Runtime, clock: ManualClock) -> None:
    await scheduled(runtime, {"type": "interval", "minutes": 1})
    assert len(await runtime.scheduler.tick()) == 1
    assert await runtime.scheduler.tick() == []


async def test_inactive_scenarios_do_not_fire(runtime: Runtime) -> None:
    await scheduled(runtime, {"type": "interval", "minutes": 1}, active=False)
    assert await runtime.scheduler.tick() == []


async def test_one_firing_per_tick_across_restarts(tmp_path: Path, clock: ManualClock) -> None:
    first = Runtime(make_settings(tmp_path), clock=clock, timers=False)
    await first.start()
    await scheduled(first, {"type": "interval", "minutes": 10})
    assert len(await first.scheduler.tick()) == 1
    await first.stop()
    second = Runtime(make_settings(tmp_path), clock=clock, timers=False)
    await second.start()
    try:
        assert await second.scheduler.tick() == []
        clock.advance(timedelta(minutes=10))
        assert len(await second.scheduler.tick()) == 1
    finally:
        await second.stop()


async def test_fired_runs_execute(runtime: Runtime, clock: ManualClock) -> None:
    sid = await scheduled(runtime, {"type": "interval", "minutes": 1})
    await runtime.scheduler.tick()
    await runtime.workers.drain(5)
    [execution] = await runtime.store.list_executions("acct", sid)
    assert execution.status == "success"


def test_cron_follows_the_time_zone_across_dst() -> None:
    """09:00 Prague every day: 08:00 UTC in winter, 07:00 UTC after the switch of 29 March 2026."""
    schedule = {"type": "cron", "expression": "0 9 * * *", "timezone": "Europe/Prague"}
    due, last = next_due(schedule, None, START)
    assert not due
    times = []
    now = START
    for _ in range(2 * 24 * 4):
        now += timedelta(minutes=15)
        due, last = next_due(schedule, last, now)
        if due:
            times.append(last)
    assert times == [datetime(2026, 3, 29, 7, 0, tzinfo=UTC), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)]


def test_cron_before_the_switch_is_at_eight_utc() -> None:
    schedule = {"type": "cron", "expression": "0 9 * * *", "timezone": "Europe/Prague"}
    due, last = next_due(schedule, datetime(2026, 3, 27, 0, 0, tzinfo=UTC), datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    assert due and last == datetime(2026, 3, 27, 8, 0, tzinfo=UTC)


def test_a_late_scheduler_fires_once_and_catches_up() -> None:
    schedule = {"type": "interval", "minutes": 10}
    due, last = next_due(schedule, START, START + timedelta(minutes=35))
    assert due and last == START + timedelta(minutes=30)
