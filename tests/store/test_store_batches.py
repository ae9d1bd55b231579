"""The scheduler's read and the group commits: on every backend (see ``conftest.py``)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scenarist.store.ports import ActivityRecord, ExecutionRecord, ScenarioRecord, Store
from scenarist.store.sql import SqlStore
from scenarist.store.sql_batch import _ACTIVE_SCENARIOS
from scenarist.types import RunStatus
from tests.store.store_records import (
    SECOND,
    T0,
    A,
    B,
    activity,
    gateway_log,
    stored_execution,
    stored_scenario,
    webhook_runs,
)


def finished(run: ExecutionRecord, *, operations: int = 3, **kw: object) -> ExecutionRecord:
    """``run`` as the engine hands it back when it ended."""
    values: dict[str, object] = {
        "status": RunStatus.SUCCESS,
        "started_at": T0 + SECOND,
        "finished_at": T0 + 2 * SECOND,
        "operations": operations,
        "response": {"status": 200, "headers": {"x-run": run.id}, "body": "ok"},
        "trigger_input": None,
    }
    return replace(run, **(values | kw))  # type: ignore[arg-type]


def records(*bundles: int) -> list[ActivityRecord]:
    return [activity(bundle, at=T0 + bundle * SECOND) for bundle in bundles]


# list_active_scenarios


async def test_active_scenarios_of_every_account_are_listed_oldest_first(store: Store) -> None:
    assert await store.list_active_scenarios() == []
    late_a = await stored_scenario(store, A, active=True, at=T0 + 2 * SECOND)
    await stored_scenario(store, A, active=False, at=T0)
    early_b = await stored_scenario(store, B, active=True, at=T0)
    tied = [await stored_scenario(store, account, active=True, at=T0 + SECOND) for account in (A, B, A)]
    await stored_scenario(store, B, active=False, at=T0 + SECOND)
    expected = [early_b, *sorted(tied, key=lambda s: s.id), late_a]
    assert await store.list_active_scenarios() == expected


async def test_active_scenarios_follow_activation(store: Store) -> None:
    first = await stored_scenario(store, A, active=True)
    second = await stored_scenario(store, B, at=T0 + SECOND)
    assert await store.set_scenario_active(A, first.id, False)
    assert await store.set_scenario_active(B, second.id, True)
    assert await store.list_active_scenarios() == [replace(second, active=True)]
    assert await store.delete_scenario(B, second.id)
    assert await store.list_active_scenarios() == []


async def test_list_active_scenarios_walks_its_index_in_order(tmp_path: Path) -> None:
    store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    try:
        async with store.engine.connect() as conn:
            compiled = _ACTIVE_SCENARIOS.compile(conn.sync_engine, compile_kwargs={"literal_binds": True})
            plan = " | ".join(row[-1] for row in (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")).all())
    finally:
        await store.close()
    assert "USING INDEX ix_scenarios_active_created_at_id (active=?)" in plan
    assert "TEMP B-TREE" not in plan


# finish_executions


async def test_finished_run_appends_after_earlier_batches_and_updates_like_update_execution(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store), trigger_input={"a": 1}, trigger_event="webhook")
    await store.append_activity(run.id, records(1, 2))
    await store.append_activity(run.id, records(3))
    done = finished(run, error={"type": "X", "message": "m", "step": "s"}, status=RunStatus.ERROR)

    await store.finish_executions(
        [(replace(done, created_at=T0 + 9 * SECOND, confidential=True, trigger_event="retry"), records(4, 5, 6))]
    )

    assert await store.get_execution(A, run.id) == done
    assert await store.get_activity(A, run.id) == records(1, 2, 3, 4, 5, 6)
    await store.append_activity(run.id, records(7))
    assert await store.get_activity(A, run.id) == records(1, 2, 3, 4, 5, 6, 7)


async def test_an_empty_activity_list_only_updates(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store))
    await store.append_activity(run.id, records(1))
    await store.finish_executions([(finished(run), [])])
    assert await store.get_execution(A, run.id) == finished(run)
    assert await store.get_activity(A, run.id) == records(1)
    await store.append_activity(run.id, records(2))
    assert await store.get_activity(A, run.id) == records(1, 2)


async def test_a_batch_mixes_runs_of_several_scenarios_and_accounts(store: Store) -> None:
    first, second = await stored_scenario(store, A), await stored_scenario(store, A)
    theirs = await stored_scenario(store, B)
    runs = [
        await stored_execution(store, first),
        await stored_execution(store, second),
        await stored_execution(store, theirs),
        await stored_execution(store, first),
    ]
    untouched = await stored_execution(store, first)
    await store.append_activity(runs[1].id, records(1))
    logs = [records(1, 2, 3), records(2, 3), [], records(7)]

    await store.finish_executions(
        [
            (finished(run, operations=i, status=RunStatus.WARNING), log)
            for i, (run, log) in enumerate(zip(runs, logs, strict=True))
        ]
    )

    for i, run in enumerate(runs):
        assert await store.get_execution(run.account_id, run.id) == finished(
            run, operations=i, status=RunStatus.WARNING
        )
    assert [await store.get_activity(run.account_id, run.id) for run in runs] == [
        records(1, 2, 3),
        records(1, 2, 3),
        [],
        records(7),
    ]
    assert await store.get_execution(A, untouched.id) == untouched
    assert await store.get_activity(A, untouched.id) == []


async def test_a_run_listed_twice_gets_both_batches_in_order_and_its_last_fields(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store))
    await store.finish_executions(
        [(finished(run, operations=1), records(1)), (finished(run, operations=2), records(2))]
    )
    assert await store.get_execution(A, run.id) == finished(run, operations=2)
    assert await store.get_activity(A, run.id) == records(1, 2)


@pytest.mark.parametrize("gone", ["missing", "another account's"])
async def test_a_run_not_found_refuses_the_whole_batch(store: Store, gone: str) -> None:
    parent = await stored_scenario(store)
    kept = await stored_execution(store, parent)
    await store.append_activity(kept.id, records(1))
    theirs = await stored_execution(store, await stored_scenario(store, B))
    absent = replace(kept, id="missing") if gone == "missing" else replace(theirs, account_id=A)

    with pytest.raises(ValueError, match="no execution"):
        await store.finish_executions([(finished(kept), records(2)), (finished(absent), records(3))])

    assert await store.get_execution(A, kept.id) == kept
    assert await store.get_activity(A, kept.id) == records(1)
    assert await store.get_execution(B, theirs.id) == theirs
    assert await store.get_activity(B, theirs.id) == []


async def test_a_value_the_store_refuses_leaves_nothing_of_the_batch(store: Store) -> None:
    parent = await stored_scenario(store)
    first, second = await stored_execution(store, parent), await stored_execution(store, parent)
    naive = (T0 + 5 * SECOND).replace(tzinfo=None)
    with pytest.raises(ValueError):
        await store.finish_executions(
            [(finished(first), records(1)), (finished(second, finished_at=naive), records(2))]
        )
    for run in (first, second):
        assert await store.get_execution(A, run.id) == run
        assert await store.get_activity(A, run.id) == []


async def test_group_commits_racing_on_the_same_runs_take_turns(store: Store) -> None:
    parent = await stored_scenario(store)
    runs = [await stored_execution(store, parent) for _ in range(4)]
    forward = [(finished(run), records(1)) for run in runs]
    backward = [(finished(run), records(2)) for run in reversed(runs)]
    await asyncio.gather(
        *(store.finish_executions(batch) for batch in (forward, backward, forward[1:3])),
        *(store.append_activity(run.id, records(3)) for run in runs),
    )
    for run in runs:
        log = await store.get_activity(A, run.id)
        assert sorted(r.bundle for r in log) == ([1, 1, 2, 3] if run in runs[1:3] else [1, 2, 3])


async def test_concurrent_writes_stand_alone_a_refused_one_stores_nothing(store: Store) -> None:
    """Writes started together (on SQLite the writer commits them together) succeed or fail each on its own."""
    parent = await stored_scenario(store)
    done, theirs = await stored_execution(store, parent), await stored_execution(store, await stored_scenario(store, B))
    waiting = await stored_execution(store, parent)
    queued = webhook_runs(parent, 3)
    clash = replace(queued[0], id=done.id)
    earlier, logs = gateway_log(A, at=T0), [gateway_log(A, scenario_id=parent.id) for _ in range(2)]
    await store.add_gateway_log(earlier)
    outcomes = await asyncio.gather(
        store.enqueue_executions(queued),
        store.finish_executions([(finished(done), records(1))]),
        store.finish_executions([(finished(replace(theirs, account_id=A)), records(2))]),
        store.enqueue_executions([clash]),
        store.add_gateway_logs(logs),
        store.add_gateway_logs([replace(earlier, status=500)]),
        store.append_activity("missing", records(3)),
        store.mark_running([(waiting.id, T0 + SECOND)]),
        return_exceptions=True,
    )
    assert [type(outcome).__name__ for outcome in outcomes] == [
        "NoneType", "NoneType", "ValueError", "ValueError", "NoneType", "ValueError", "ValueError", "NoneType"]
    assert await store.get_execution(A, done.id) == finished(done)
    assert await store.get_activity(A, done.id) == records(1)
    assert await store.get_execution(B, theirs.id) == theirs
    assert await store.get_activity(B, theirs.id) == []
    assert [await store.get_execution(A, run.id) for run in queued] == queued
    running = replace(waiting, status=RunStatus.RUNNING, started_at=T0 + SECOND)
    assert await store.get_execution(A, waiting.id) == running
    assert [await store.get_gateway_log(A, log.id) for log in (earlier, *logs)] == [earlier, *logs]


async def test_finishing_nothing_does_nothing(store: Store) -> None:
    await store.finish_executions([])


# add_gateway_logs


async def test_gateway_logs_are_added_together_and_round_trip(store: Store) -> None:
    parent = await stored_scenario(store)
    logs = [
        gateway_log(A, scenario_id=parent.id, at=T0),
        gateway_log(A, scenario_id=None, at=T0 + SECOND, status=404, request_body=None, response_body=None),
        gateway_log(A, scenario_id=parent.id, at=T0 + 2 * SECOND, request_body=b"\x00\xff" + b"x" * 5000),
        gateway_log(B, at=T0, request_headers=[]),
    ]
    await store.add_gateway_logs(logs)
    for log in logs:
        assert await store.get_gateway_log(log.account_id, log.id) == log
    listed = await store.list_gateway_logs(A)
    assert [g.id for g in listed] == [logs[2].id, logs[1].id, logs[0].id]
    assert [g.id for g in await store.list_gateway_logs(A, scenario_id=parent.id)] == [logs[2].id, logs[0].id]
    assert [g.id for g in await store.list_gateway_logs(B)] == [logs[3].id]


@pytest.mark.parametrize("clash", ["taken", "repeated"])
async def test_a_clashing_gateway_log_id_refuses_the_whole_batch(store: Store, clash: str) -> None:
    earlier = gateway_log(A, at=T0)
    await store.add_gateway_log(earlier)
    fresh = [gateway_log(A, at=T0 + SECOND), gateway_log(A, at=T0 + 2 * SECOND)]
    duplicate = replace(earlier, received_at=T0 + 3 * SECOND) if clash == "taken" else replace(fresh[0], status=500)

    with pytest.raises(ValueError):
        await store.add_gateway_logs([*fresh, duplicate])

    assert [g.id for g in await store.list_gateway_logs(A)] == [earlier.id]
    assert await store.get_gateway_log(A, earlier.id) == earlier


async def test_adding_no_gateway_logs_does_nothing(store: Store) -> None:
    await store.add_gateway_logs([])
    assert await store.list_gateway_logs(A) == []


async def test_mark_running_sets_queued_runs_running_and_leaves_finished_ones(store: Store) -> None:
    scenario = await _mark_scenario(store)
    queued = ExecutionRecord("r1", "acct-m", scenario.id, RunStatus.QUEUED, created_at=_T0)
    done = ExecutionRecord("r2", "acct-m", scenario.id, RunStatus.QUEUED, created_at=_T0)
    await store.enqueue_executions([queued, done])
    await store.finish_executions([(replace(done, status=RunStatus.SUCCESS, finished_at=_T0), [])])
    await store.mark_running([("r1", _T0 + timedelta(seconds=1)), ("r2", _T0 + timedelta(seconds=1))])
    first = await store.get_execution("acct-m", "r1")
    second = await store.get_execution("acct-m", "r2")
    assert first is not None and first.status == RunStatus.RUNNING
    assert first.started_at == _T0 + timedelta(seconds=1)
    assert second is not None and second.status == RunStatus.SUCCESS


_T0 = datetime(2026, 5, 1, tzinfo=UTC)


async def _mark_scenario(store: Store) -> ScenarioRecord:
    record = ScenarioRecord("sm", "acct-m", "m", {}, True, _T0, _T0)
    await store.put_scenario(record)
    return record


# the hourly operation counters (operations_by_scenario)

HOUR = timedelta(hours=1)


async def test_finished_runs_count_their_operations_per_scenario_and_hour(store: Store) -> None:
    first, second = await stored_scenario(store), await stored_scenario(store)
    other = await stored_scenario(store, B)
    runs = [await stored_execution(store, parent) for parent in (first, first, second, other)]
    await store.finish_executions([(finished(runs[0], operations=3), []), (finished(runs[2], operations=5), [])])
    await store.finish_executions([(finished(runs[1], operations=4, finished_at=T0 + HOUR), []),
                                   (finished(runs[3], operations=7), [])])
    day = timedelta(days=1)
    assert await store.operations_by_scenario(A, T0 - day, T0 + day) == {first.id: 7, second.id: 5}
    assert await store.operations_by_scenario(A, T0 + HOUR, T0 + day) == {first.id: 4}  # by the hour it finished
    assert await store.operations_by_scenario(A, T0 - day, T0) == {}
    assert await store.operations_by_scenario(B, T0 - day, T0 + day) == {other.id: 7}


async def test_a_run_counts_once_even_when_finished_again(store: Store) -> None:
    parent = await stored_scenario(store)
    run = await stored_execution(store, parent)
    twice = finished(run, operations=2)
    await store.finish_executions([(twice, []), (replace(twice, operations=6), [])])  # the batch's last record
    await store.finish_executions([(replace(twice, operations=9), [])])  # already finished: adds nothing
    assert await store.operations_by_scenario(A, T0 - HOUR, T0 + HOUR) == {parent.id: 6}


async def test_counters_outlive_the_scenario_and_go_with_the_account(store: Store) -> None:
    parent = await stored_scenario(store)
    run = await stored_execution(store, parent)
    await store.finish_executions([(finished(run, operations=3), [])])
    assert await store.delete_scenario(A, parent.id)
    assert await store.operations_by_scenario(A, T0 - HOUR, T0 + HOUR) == {parent.id: 3}
    assert await store.delete_account(A) is True
    assert await store.operations_by_scenario(A, T0 - HOUR, T0 + HOUR) == {}


async def test_counters_past_their_window_are_purged(store: Store) -> None:
    from scenarist.store.ports import USAGE_KEPT_DAYS, RetentionWindows

    parent = await stored_scenario(store)
    run = await stored_execution(store, parent)
    await store.finish_executions([(finished(run, operations=3), [])])
    kept = await store.purge(T0 + timedelta(days=USAGE_KEPT_DAYS), RetentionWindows(runs_days=USAGE_KEPT_DAYS + 1))
    assert kept["usage"] == 0
    gone = await store.purge(T0 + timedelta(days=USAGE_KEPT_DAYS + 1), RetentionWindows(runs_days=USAGE_KEPT_DAYS + 9))
    assert gone["usage"] == 1
    assert await store.operations_by_scenario(A, T0 - HOUR, T0 + HOUR) == {}
