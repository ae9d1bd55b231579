"""The server purges by the retention windows at least hourly."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from scenarist.server import runtime as runtime_module
from scenarist.server.runtime import Runtime
from scenarist.types import ManualClock
from tests.server.conftest import make_settings


def test_purge_runs_at_least_hourly() -> None:
    assert timedelta(hours=1) >= runtime_module.PURGE_EVERY


async def test_the_periodic_purge_deletes_what_left_its_window(tmp_path: Path) -> None:
    clock = ManualClock()
    rt = Runtime(make_settings(tmp_path), clock=clock, timers=False)
    await rt.start()
    try:
        definition = {"name": "p", "trigger": {"id": "n", "module": "tools.increment"}}
        record = await rt.engine.save_scenario(definition, account_id="acct")
        await rt.engine.run(record)
        clock.advance(timedelta(days=60) - timedelta(seconds=1))
        assert (await rt.purge())["runs"] == 0
        clock.advance(timedelta(seconds=2))
        assert (await rt.purge())["runs"] == 1
        assert await rt.store.list_executions("acct", record.id) == []
    finally:
        await rt.stop()
