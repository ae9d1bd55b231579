"""Webhook intake and the run queue: on every backend (see ``conftest.py``)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from scenarist.store.ports import Store
from scenarist.types import RunStatus
from tests.store.store_records import (
    SECOND,
    T0,
    A,
    B,
    execution,
    stored_execution,
    stored_scenario,
    webhook_runs,
)

# hooks


async def test_a_scenario_is_found_by_its_hook_across_accounts(store: Store) -> None:
    theirs = await stored_scenario(store, B, hook_token="hook-b")
    mine = await stored_scenario(store, A, hook_token="hook-a")
    await stored_scenario(store, A)
    assert await store.get_scenario_by_hook("hook-b") == theirs
    assert await store.get_scenario_by_hook("hook-a") == mine
    assert await store.get_scenario_by_hook("hook-x") is None


async def test_a_new_hook_token_replaces_the_old_one(store: Store) -> None:
    record = await stored_scenario(store, hook_token="old")
    renewed = replace(record, hook_token="new")
    await store.put_scenario(renewed)
    assert await store.get_scenario_by_hook("old") is None
    assert await store.get_scenario_by_hook("new") == renewed


async def test_a_hook_token_is_unique_across_accounts(store: Store) -> None:
    mine = await stored_scenario(store, A, hook_token="shared")
    with pytest.raises(ValueError):
        await stored_scenario(store, B, hook_token="shared")
    with pytest.raises(ValueError):
        await stored_scenario(store, A, hook_token="shared")
    assert await store.get_scenario_by_hook("shared") == mine
    assert await store.list_scenarios(B) == []


async def test_many_scenarios_may_have_no_hook(store: Store) -> None:
    first, second = await stored_scenario(store), await stored_scenario(store)
    assert first.hook_token is None
    assert await store.list_scenarios(A) == sorted([first, second], key=lambda s: s.id)


# enqueue and list_queued


async def test_enqueued_runs_round_trip_with_their_trigger(store: Store) -> None:
    parent = await stored_scenario(store, active=True)
    runs = webhook_runs(parent, 3)
    await store.enqueue_executions(runs)
    for run in runs:
        assert await store.get_execution(A, run.id) == run
    assert await store.list_queued() == runs


async def test_list_queued_keeps_arrival_order_across_batches_with_equal_times(store: Store) -> None:
    mine = await stored_scenario(store, A, active=True)
    theirs = await stored_scenario(store, B, active=True)
    first = webhook_runs(mine, 3) + webhook_runs(theirs, 2)
    second = webhook_runs(theirs, 2, first=10) + webhook_runs(mine, 3, first=10)
    await store.enqueue_executions(first)
    await store.enqueue_executions(second)
    assert await store.list_queued() == first + second
    assert await store.list_queued(limit=4) == first[:4]


async def test_created_and_enqueued_runs_share_one_queue(store: Store) -> None:
    parent = await stored_scenario(store, active=True)
    created = await stored_execution(store, parent)
    enqueued = webhook_runs(parent, 2)
    await store.enqueue_executions(enqueued)
    later = await stored_execution(store, parent)
    assert await store.list_queued() == [created, *enqueued, later]


async def test_runs_of_an_inactive_scenario_wait_until_it_is_activated(store: Store) -> None:
    waiting = await stored_scenario(store, active=False)
    running = await stored_scenario(store, active=True)
    early = webhook_runs(waiting, 2)
    late = webhook_runs(running, 2)
    await store.enqueue_executions(early)
    await store.enqueue_executions(late)
    assert await store.list_queued() == late
    assert await store.count_queued(waiting.id) == 2

    await store.set_scenario_active(A, waiting.id, True)
    assert await store.list_queued() == early + late


async def test_list_queued_skips_runs_that_are_not_queued(store: Store) -> None:
    parent = await stored_scenario(store, active=True)
    runs = webhook_runs(parent, 3)
    await store.enqueue_executions(runs)
    assert await store.claim_execution(runs[1].id, T0 + SECOND)
    assert await store.list_queued() == [runs[0], runs[2]]


async def test_enqueue_is_all_or_nothing(store: Store) -> None:
    mine = await stored_scenario(store, active=True)
    theirs = await stored_scenario(store, B, active=True)
    stolen = execution(replace(theirs, account_id=A))
    with pytest.raises(ValueError):
        await store.enqueue_executions([*webhook_runs(mine, 2), stolen])
    taken = await stored_execution(store, mine)
    with pytest.raises(ValueError):
        await store.enqueue_executions([*webhook_runs(mine, 2), taken])
    twice = webhook_runs(mine, 1)
    with pytest.raises(ValueError):
        await store.enqueue_executions(twice + twice)
    assert await store.list_queued() == [taken]
    assert await store.count_queued(theirs.id) == 0


async def test_enqueue_of_nothing_stores_nothing(store: Store) -> None:
    await store.enqueue_executions([])
    assert await store.list_queued() == []


async def test_a_full_group_commit_is_stored_in_order(store: Store) -> None:
    parent = await stored_scenario(store, active=True)
    runs = webhook_runs(parent, 500)
    await store.enqueue_executions(runs)
    assert await store.list_queued(limit=10_000) == runs
    assert await store.count_queued(parent.id) == 500


async def test_concurrent_enqueues_keep_every_run_and_each_batchs_order(store: Store) -> None:
    parent = await stored_scenario(store, active=True)
    batches = [webhook_runs(parent, 10, first=b * 10) for b in range(8)]
    await asyncio.gather(*(store.enqueue_executions(batch) for batch in batches))
    queued = await store.list_queued()
    assert sorted(r.id for r in queued) == sorted(r.id for batch in batches for r in batch)
    for batch in batches:
        positions = [queued.index(run) for run in batch]
        assert positions == sorted(positions)


# count_queued


async def test_count_queued_counts_the_scenarios_queued_runs_only(store: Store) -> None:
    one, other = await stored_scenario(store), await stored_scenario(store, B)
    await store.enqueue_executions(webhook_runs(one, 3) + webhook_runs(other, 1))
    await stored_execution(store, one, status=RunStatus.SUCCESS)
    await stored_execution(store, one, status=RunStatus.RUNNING)
    assert await store.count_queued(one.id) == 3
    assert await store.count_queued(other.id) == 1
    assert await store.count_queued("missing") == 0


# requeue_running


async def test_requeue_running_cancels_a_sub_scenarios_run(store: Store) -> None:
    parent = await stored_scenario(store, active=True)
    called = await stored_execution(store, parent, status=RunStatus.RUNNING, trigger_event="scenario")
    manual = await stored_execution(store, parent, status=RunStatus.RUNNING)
    assert await store.requeue_running() == 1
    got = await store.get_execution(A, called.id)
    assert got is not None and got.status == RunStatus.CANCELLED
    requeued = await store.get_execution(A, manual.id)
    assert requeued is not None and requeued.status == RunStatus.QUEUED


async def test_requeue_running_puts_running_runs_back_in_their_place(store: Store) -> None:
    parent = await stored_scenario(store, active=True)
    runs = webhook_runs(parent, 4)
    await store.enqueue_executions(runs)
    for run in runs[:2]:
        assert await store.claim_execution(run.id, T0 + SECOND)
    done = await stored_execution(store, parent, status=RunStatus.SUCCESS)

    assert await store.requeue_running() == 2

    assert await store.list_queued() == [replace(run, started_at=T0 + SECOND) for run in runs[:2]] + runs[2:]
    assert await store.get_execution(A, done.id) == done
    assert await store.requeue_running() == 0
    assert await store.claim_execution(runs[0].id, T0 + 2 * SECOND) is True
