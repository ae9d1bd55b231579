"""The store contract: every test runs on every backend (see ``conftest.py``)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from scenarist.store.ports import (
    RetentionWindows,
    Store,
)
from scenarist.types import RunStatus
from tests.store.store_records import (
    SECOND,
    T0,
    A,
    B,
    activity,
    execution,
    gateway_log,
    incomplete,
    notification,
    scenario,
    stored_execution,
    stored_scenario,
)

KINDS = {"runs", "activity", "incomplete", "notifications", "gateway_logs", "usage", "versions"}


# scenarios


async def test_scenario_round_trips(store: Store) -> None:
    record = await stored_scenario(store, consecutive_errors=2, active=True, hook_token="tok-" + "a" * 40)
    assert await store.get_scenario(A, record.id) == record


async def test_put_scenario_replaces_by_id(store: Store) -> None:
    record = await stored_scenario(store)
    changed = replace(record, name="Renamed", definition={"flow": []}, updated_at=T0 + SECOND)
    await store.put_scenario(changed)
    assert await store.get_scenario(A, record.id) == changed
    assert await store.list_scenarios(A) == [changed]


async def test_put_scenario_cannot_take_another_accounts_id(store: Store) -> None:
    record = await stored_scenario(store)
    with pytest.raises(ValueError):
        await store.put_scenario(replace(record, account_id=B, name="stolen"))
    assert await store.get_scenario(A, record.id) == record
    assert await store.get_scenario(B, record.id) is None


async def test_list_scenarios_is_oldest_first(store: Store) -> None:
    newer = await stored_scenario(store, at=T0 + SECOND)
    older = await stored_scenario(store, at=T0)
    assert await store.list_scenarios(A) == [older, newer]


async def test_set_scenario_active(store: Store) -> None:
    record = await stored_scenario(store)
    assert await store.set_scenario_active(A, record.id, True) is True
    assert (await store.get_scenario(A, record.id)) == replace(record, active=True)
    assert await store.set_scenario_active(A, "missing", True) is False


async def test_record_run_outcome_counts_failures_and_resets(store: Store) -> None:
    record = await stored_scenario(store)
    assert await store.record_run_outcome(A, record.id, failed=True) == 1
    assert await store.record_run_outcome(A, record.id, failed=True) == 2
    assert (await store.get_scenario(A, record.id)).consecutive_errors == 2  # type: ignore[union-attr]
    assert await store.record_run_outcome(A, record.id, failed=False) == 0
    assert await store.record_run_outcome(A, "missing", failed=True) == 0


# scoping


async def test_another_account_sees_none_of_it(store: Store) -> None:
    mine = await stored_scenario(store)
    run = await stored_execution(store, mine)
    await store.append_activity(run.id, [activity()])
    waiting = incomplete(run, next_retry_at=T0)
    await store.put_incomplete(waiting)
    await store.add_notification(notification(scenario_id=mine.id))
    log = gateway_log(scenario_id=mine.id)
    await store.add_gateway_log(log)

    assert await store.get_scenario(B, mine.id) is None
    assert await store.list_scenarios(B) == []
    assert await store.set_scenario_active(B, mine.id, True) is False
    assert await store.record_run_outcome(B, mine.id, failed=True) == 0
    assert await store.get_execution(B, run.id) is None
    assert await store.list_executions(B, mine.id) == []
    assert await store.get_activity(B, run.id) == []
    assert await store.get_incomplete(B, waiting.id) is None
    assert await store.list_incomplete(B) == []
    assert await store.list_incomplete(B, mine.id) == []
    assert await store.delete_incomplete(B, waiting.id) is False
    assert await store.list_notifications(B) == []
    assert await store.list_gateway_logs(B) == []
    assert await store.get_gateway_log(B, log.id) is None
    assert await store.delete_scenario(B, mine.id) is False

    assert await store.get_scenario(A, mine.id) == replace(mine, consecutive_errors=0)
    assert len(await store.get_activity(A, run.id)) == 1
    assert await store.get_incomplete(A, waiting.id) == waiting


async def test_update_by_another_account_changes_nothing(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store))
    await store.update_execution(replace(run, account_id=B, status=RunStatus.ERROR))
    assert await store.get_execution(A, run.id) == run


async def test_execution_cannot_hang_under_another_accounts_scenario(store: Store) -> None:
    theirs = await stored_scenario(store, B)
    with pytest.raises(ValueError):
        await store.create_execution(execution(replace(theirs, account_id=A)))
    assert await store.list_executions(B, theirs.id) == []


async def test_incomplete_cannot_hang_under_another_accounts_execution(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store, B))
    with pytest.raises(ValueError):
        await store.put_incomplete(incomplete(replace(run, account_id=A)))
    assert await store.list_incomplete(A) == []


# executions


async def test_execution_round_trips_every_field(store: Store) -> None:
    parent = await stored_scenario(store)
    record = execution(
        parent,
        status=RunStatus.ERROR,
        started_at=T0 + SECOND,
        finished_at=T0 + 2 * SECOND,
        operations=7,
        error={"type": "HTTPError", "message": "500", "step": "post"},
        confidential=True,
        response={"status": 201, "headers": {"x": "y"}, "body": [1, "two", None]},
        trigger_input={"body": {"name": "Žluťoučký kůň 🐎"}, "query": {}},
        trigger_event="schedule",
    )
    await store.create_execution(record)
    assert await store.get_execution(A, record.id) == record


async def test_create_execution_refuses_a_taken_id(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store))
    with pytest.raises(ValueError):
        await store.create_execution(run)


async def test_create_execution_refuses_an_unknown_scenario(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.create_execution(execution(scenario()))


async def test_update_execution_replaces_only_the_mutable_fields(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store), trigger_input={"a": 1}, trigger_event="webhook")
    done = replace(
        run,
        status=RunStatus.SUCCESS,
        started_at=T0 + SECOND,
        finished_at=T0 + 3 * SECOND,
        operations=4,
        error={"type": "X", "message": "m", "step": "s"},
        response={"status": 200, "headers": {}, "body": "ok"},
        trigger_input={"a": 2, "encrypted": "v1:..."},
    )
    fixed = {"created_at": T0 + 9 * SECOND, "confidential": True, "trigger_event": "retry"}
    await store.update_execution(replace(done, **fixed))
    assert await store.get_execution(A, run.id) == done


async def test_claim_execution_succeeds_once(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store))
    assert await store.claim_execution(run.id, T0 + SECOND) is True
    assert await store.claim_execution(run.id, T0 + 2 * SECOND) is False
    claimed = await store.get_execution(A, run.id)
    assert claimed == replace(run, status=RunStatus.RUNNING, started_at=T0 + SECOND)
    assert await store.claim_execution("missing", T0) is False


async def test_list_executions_pages_newest_first(store: Store) -> None:
    parent = await stored_scenario(store)
    runs = [await stored_execution(store, parent, at=T0 + i * SECOND) for i in range(5)]
    newest_first = runs[::-1]
    first = await store.list_executions(A, parent.id, limit=2)
    second = await store.list_executions(A, parent.id, limit=2, before=first[-1].id)
    third = await store.list_executions(A, parent.id, limit=2, before=second[-1].id)
    assert first + second + third == newest_first
    assert await store.list_executions(A, parent.id, before=runs[0].id) == []


async def test_list_executions_breaks_time_ties_by_id(store: Store) -> None:
    parent = await stored_scenario(store)
    runs = [await stored_execution(store, parent) for _ in range(4)]
    expected = sorted(runs, key=lambda r: r.id, reverse=True)
    assert await store.list_executions(A, parent.id) == expected
    after = await store.list_executions(A, parent.id, before=expected[1].id)
    assert after == expected[2:]


async def test_list_executions_filters_by_status(store: Store) -> None:
    parent = await stored_scenario(store)
    errors = []
    for i in range(6):
        status = RunStatus.ERROR if i % 2 else RunStatus.SUCCESS
        run = await stored_execution(store, parent, at=T0 + i * SECOND, status=status)
        errors += [run] if status == RunStatus.ERROR else []
    assert await store.list_executions(A, parent.id, status=RunStatus.ERROR) == errors[::-1]
    page = await store.list_executions(A, parent.id, status=RunStatus.ERROR, before=errors[2].id)
    assert page == errors[1::-1]


async def test_list_executions_with_unknown_before_is_empty(store: Store) -> None:
    parent = await stored_scenario(store)
    await stored_execution(store, parent)
    assert await store.list_executions(A, parent.id, before="missing") == []


async def test_list_executions_is_per_scenario(store: Store) -> None:
    one, other = await stored_scenario(store), await stored_scenario(store)
    run = await stored_execution(store, one)
    await stored_execution(store, other)
    assert await store.list_executions(A, one.id) == [run]


# activity stream


async def test_activity_round_trips_every_field(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store))
    prague = timezone(timedelta(hours=2))
    records = [
        activity(
            1,
            at=datetime(2026, 3, 1, 14, 0, 0, 123457, tzinfo=prague),
            duration_ms=0.1 + 0.2,
            input={"nested": {"list": [1, 2.5, None, True, {"deep": ["x"]}]}, "ü": "日本"},
            output=["a", {"b": -1e-300}],
        ),
        activity(2, status="error", input=None, output=None, error={"type": "E", "message": "ü"}),
        activity(3, status="filtered", input="just a string 🐎", output=42),
    ]
    await store.append_activity(run.id, records)
    got = await store.get_activity(A, run.id)
    assert got == records
    assert got[0].started_at.tzinfo is not None
    assert got[0].started_at.utcoffset() == timedelta(0)
    assert got[0].duration_ms == 0.1 + 0.2


async def test_activity_keeps_append_order_across_batches(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store))
    batches = [[activity(b * 10 + i) for i in range(3)] for b in range(4)]
    for batch in batches:
        await store.append_activity(run.id, batch)
    assert await store.get_activity(A, run.id) == [r for batch in batches for r in batch]


async def test_large_activity_batch_round_trips(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store))
    records = [activity(i, input={"text": "lorem ipsum " * 20, "i": i}, output={"ok": i % 3 == 0}) for i in range(500)]
    await store.append_activity(run.id, records)
    assert await store.get_activity(A, run.id) == records


async def test_append_activity_to_an_unknown_execution_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.append_activity("missing", [activity()])


async def test_append_of_an_empty_batch_stores_nothing(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store))
    await store.append_activity(run.id, [])
    assert await store.get_activity(A, run.id) == []


# incomplete executions


async def test_incomplete_round_trips_and_is_replaced_by_id(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store))
    record = incomplete(run, attempts=1, next_retry_at=T0 + 60 * SECOND)
    await store.put_incomplete(record)
    assert await store.get_incomplete(A, record.id) == record
    retried = replace(record, attempts=2, next_retry_at=None, error={"type": "X", "message": "y"})
    await store.put_incomplete(retried)
    assert await store.get_incomplete(A, record.id) == retried


async def test_list_incomplete_is_oldest_first_and_filters_by_scenario(store: Store) -> None:
    one, other = await stored_scenario(store), await stored_scenario(store)
    run_one, run_other = await stored_execution(store, one), await stored_execution(store, other)
    newer = incomplete(run_one, at=T0 + SECOND)
    older = incomplete(run_other, at=T0)
    for record in (newer, older):
        await store.put_incomplete(record)
    assert await store.list_incomplete(A) == [older, newer]
    assert await store.list_incomplete(A, one.id) == [newer]


async def test_due_incomplete_is_earliest_first_across_accounts(store: Store) -> None:
    run_a = await stored_execution(store, await stored_scenario(store, A))
    run_b = await stored_execution(store, await stored_scenario(store, B))
    late = incomplete(run_a, next_retry_at=T0)
    early = incomplete(run_b, next_retry_at=T0 - 5 * SECOND)
    manual = incomplete(run_a, next_retry_at=None)
    future = incomplete(run_b, next_retry_at=T0 + SECOND)
    for record in (late, manual, future, early):
        await store.put_incomplete(record)
    assert await store.due_incomplete(T0) == [early, late]
    assert await store.due_incomplete(T0, limit=1) == [early]


async def test_delete_incomplete(store: Store) -> None:
    record = incomplete(await stored_execution(store, await stored_scenario(store)))
    await store.put_incomplete(record)
    assert await store.delete_incomplete(A, record.id) is True
    assert await store.get_incomplete(A, record.id) is None
    assert await store.delete_incomplete(A, record.id) is False


# notifications


async def test_notifications_are_newest_first(store: Store) -> None:
    older = notification(at=T0, data={"n": [1, {"x": "ü"}]})
    newer = notification(at=T0 + SECOND, scenario_id="s1")
    for record in (older, newer):
        await store.add_notification(record)
    assert await store.list_notifications(A) == [newer, older]


async def test_a_notification_is_marked_read_once_and_by_its_account_only(store: Store) -> None:
    record = notification()
    await store.add_notification(record)
    assert record.read_at is None
    assert await store.mark_notification_read(B, record.id, T0 + SECOND) is False
    assert await store.mark_notification_read(A, "missing", T0 + SECOND) is False
    assert await store.list_notifications(A) == [record]
    assert await store.mark_notification_read(A, record.id, T0 + SECOND) is True
    assert await store.mark_notification_read(A, record.id, T0 + 2 * SECOND) is True
    assert await store.list_notifications(A) == [replace(record, read_at=T0 + SECOND)]


# per-scenario state


async def test_state_is_none_until_set(store: Store) -> None:
    assert await store.get_state("s1", "cursor") is None


async def test_state_set_get_and_overwrite(store: Store) -> None:
    await store.set_state("s1", "cursor", {"after": "abc", "seen": [1, 2]})
    await store.set_state("s2", "cursor", 5)
    assert await store.get_state("s1", "cursor") == {"after": "abc", "seen": [1, 2]}
    await store.set_state("s1", "cursor", "next")
    assert await store.get_state("s1", "cursor") == "next"
    assert await store.get_state("s2", "cursor") == 5
    assert await store.get_state("s1", "other") is None


async def test_setting_state_to_none_removes_it(store: Store) -> None:
    await store.set_state("s1", "counter", 3)
    await store.set_state("s1", "counter", None)
    assert await store.get_state("s1", "counter") is None


# gateway log


async def test_gateway_log_round_trips_with_bodies(store: Store) -> None:
    big = gateway_log(request_body=b"\x00\xffbinary" * 1000, response_body=None)
    small = gateway_log(at=T0 + SECOND)
    for record in (big, small):
        await store.add_gateway_log(record)
    assert await store.get_gateway_log(A, big.id) == big
    assert await store.get_gateway_log(A, small.id) == small


async def test_gateway_logs_list_newest_first_without_bodies(store: Store) -> None:
    parent = await stored_scenario(store)
    older = gateway_log(scenario_id=parent.id)
    newer = gateway_log(at=T0 + SECOND)
    for record in (older, newer):
        await store.add_gateway_log(record)
    bare = {"request_body": None, "response_body": None}
    assert await store.list_gateway_logs(A) == [replace(newer, **bare), replace(older, **bare)]
    assert await store.list_gateway_logs(A, scenario_id=parent.id) == [replace(older, **bare)]
    assert len(await store.list_gateway_logs(A, limit=1)) == 1


# delete_scenario


async def test_delete_scenario_removes_everything_of_it(store: Store) -> None:
    doomed, kept = await stored_scenario(store), await stored_scenario(store)
    doomed_ids, kept_ids = [], []
    for parent, ids in ((doomed, doomed_ids), (kept, kept_ids)):
        run = await stored_execution(store, parent)
        await store.append_activity(run.id, [activity()])
        waiting = incomplete(run, next_retry_at=T0)
        await store.put_incomplete(waiting)
        await store.set_state(parent.id, "cursor", 1)
        log = gateway_log(scenario_id=parent.id)
        await store.add_gateway_log(log)
        ids += [run.id, waiting.id, log.id]

    assert await store.delete_scenario(A, doomed.id) is True

    run_id, waiting_id, log_id = doomed_ids
    assert await store.get_scenario(A, doomed.id) is None
    assert await store.get_execution(A, run_id) is None
    assert await store.get_activity(A, run_id) == []
    assert await store.get_incomplete(A, waiting_id) is None
    assert await store.due_incomplete(T0) == [await store.get_incomplete(A, kept_ids[1])]
    assert await store.get_state(doomed.id, "cursor") is None
    assert await store.get_gateway_log(A, log_id) is None
    assert await store.delete_scenario(A, doomed.id) is False

    assert len(await store.get_activity(A, kept_ids[0])) == 1
    assert await store.get_state(kept.id, "cursor") == 1
    assert await store.get_gateway_log(A, kept_ids[2]) is not None


# retention

WINDOW = timedelta(days=10)
AS_OF = T0 + timedelta(days=100)
EDGE = AS_OF - WINDOW
AGES = {"inside": EDGE + SECOND, "edge": EDGE, "outside": EDGE - SECOND}
LONG = 10_000


def windows(**days: int) -> RetentionWindows:
    everything_long = {
        "gateway_logs_days": LONG,
        "incomplete_days": LONG,
        "notifications_days": LONG,
        "activity_days": LONG,
        "runs_days": LONG,
    }
    return RetentionWindows(**(everything_long | days))


async def test_purge_counts_every_kind(store: Store) -> None:
    assert await store.purge(AS_OF, RetentionWindows()) == dict.fromkeys(KINDS, 0)


async def test_purge_runs_at_the_window_edge(store: Store) -> None:
    parent = await stored_scenario(store, at=T0)
    runs = {}
    for age, when in AGES.items():
        run = await stored_execution(store, parent, at=T0, finished_at=when)
        await store.append_activity(run.id, [activity()])
        await store.put_incomplete(incomplete(run, at=AS_OF, next_retry_at=AS_OF))
        runs[age] = run

    counts = await store.purge(AS_OF, windows(runs_days=10))

    assert counts == dict.fromkeys(KINDS, 0) | {"runs": 1}
    assert await store.get_execution(A, runs["outside"].id) is None
    assert await store.get_activity(A, runs["outside"].id) == []
    kept = [runs["inside"].id, runs["edge"].id]
    assert sorted(r.execution_id for r in await store.due_incomplete(AS_OF)) == sorted(kept)
    for run_id in kept:
        assert len(await store.get_activity(A, run_id)) == 1


async def test_purge_runs_takes_unfinished_runs_by_creation(store: Store) -> None:
    parent = await stored_scenario(store, at=T0)
    runs = {age: await stored_execution(store, parent, at=when) for age, when in AGES.items()}
    assert (await store.purge(AS_OF, windows(runs_days=10)))["runs"] == 1
    left = await store.list_executions(A, parent.id)
    assert {r.id for r in left} == {runs["inside"].id, runs["edge"].id}


async def test_purge_activity_at_the_window_edge(store: Store) -> None:
    parent = await stored_scenario(store, at=T0)
    runs = {}
    for age, when in AGES.items():
        run = await stored_execution(store, parent, at=when, trigger_input={"body": age})
        await store.append_activity(run.id, [activity(1)])
        await store.append_activity(run.id, [activity(2)])
        runs[age] = run

    counts = await store.purge(AS_OF, windows(activity_days=10))

    assert counts == dict.fromkeys(KINDS, 0) | {"activity": 2}
    purged = await store.get_execution(A, runs["outside"].id)
    assert purged == replace(runs["outside"], trigger_input=None)
    assert await store.get_activity(A, runs["outside"].id) == []
    for age in ("inside", "edge"):
        assert await store.get_execution(A, runs[age].id) == runs[age]
        assert len(await store.get_activity(A, runs[age].id)) == 2


async def test_purge_incomplete_at_the_window_edge(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store, at=T0), at=T0)
    records = {age: incomplete(run, at=when) for age, when in AGES.items()}
    for record in records.values():
        await store.put_incomplete(record)
    counts = await store.purge(AS_OF, windows(incomplete_days=10))
    assert counts == dict.fromkeys(KINDS, 0) | {"incomplete": 1}
    assert await store.list_incomplete(A) == [records["edge"], records["inside"]]
    assert await store.get_execution(A, run.id) == run


async def test_purge_notifications_at_the_window_edge(store: Store) -> None:
    records = {age: notification(at=when) for age, when in AGES.items()}
    for record in records.values():
        await store.add_notification(record)
    counts = await store.purge(AS_OF, windows(notifications_days=10))
    assert counts == dict.fromkeys(KINDS, 0) | {"notifications": 1}
    assert await store.list_notifications(A) == [records["inside"], records["edge"]]


async def test_purge_gateway_logs_at_the_window_edge(store: Store) -> None:
    records = {age: gateway_log(at=when) for age, when in AGES.items()}
    for record in records.values():
        await store.add_gateway_log(record)
    counts = await store.purge(AS_OF, windows(gateway_logs_days=10))
    assert counts == dict.fromkeys(KINDS, 0) | {"gateway_logs": 1}
    assert await store.get_gateway_log(A, records["outside"].id) is None
    for age in ("inside", "edge"):
        assert await store.get_gateway_log(A, records[age].id) == records[age]


# times


async def test_naive_times_are_refused(store: Store) -> None:
    naive = datetime(2026, 1, 1)
    with pytest.raises(ValueError, match="naive"):
        await store.put_scenario(scenario(at=naive))
    with pytest.raises(ValueError, match="naive"):
        await store.due_incomplete(naive)


# concurrency


async def test_concurrent_claims_let_exactly_one_win(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store))
    results = await asyncio.gather(*(store.claim_execution(run.id, T0) for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]


async def test_concurrent_appends_keep_every_batch(store: Store) -> None:
    run = await stored_execution(store, await stored_scenario(store))
    batches = [[activity(b * 100 + i) for i in range(5)] for b in range(12)]
    await asyncio.gather(*(store.append_activity(run.id, batch) for batch in batches))
    stored = await store.get_activity(A, run.id)
    assert sorted(r.bundle for r in stored) == sorted(r.bundle for b in batches for r in b)
    starts = [stored.index(batch[0]) for batch in batches]
    assert all(stored[s : s + 5] == batch for s, batch in zip(starts, batches, strict=True))


# scenario versions


async def test_each_saved_version_is_numbered_and_listed_newest_first(store: Store) -> None:
    record = await stored_scenario(store)
    first = await store.add_scenario_version(record)
    changed = replace(record, definition={"flow": [], "name": "v2"}, updated_at=T0 + SECOND)
    second = await store.add_scenario_version(changed)
    assert (first.n, second.n) == (1, 2)
    assert await store.list_scenario_versions(A, record.id) == [second, first]
    assert await store.list_scenario_versions(A, record.id, before=2) == [first]
    assert await store.list_scenario_versions(A, record.id, limit=1) == [second]
    assert await store.get_scenario_version(A, record.id, 2) == second
    assert second.definition == {"flow": [], "name": "v2"} and second.saved_at == T0 + SECOND
    assert await store.get_scenario_version(A, record.id, 3) is None


async def test_versions_are_the_accounts_own(store: Store) -> None:
    record = await stored_scenario(store)
    await store.add_scenario_version(record)
    assert await store.list_scenario_versions(B, record.id) == []
    assert await store.get_scenario_version(B, record.id, 1) is None
    with pytest.raises(ValueError):
        await store.add_scenario_version(replace(record, account_id=B))
    with pytest.raises(ValueError):
        await store.add_scenario_version(replace(record, id="missing"))


async def test_versions_go_with_their_scenario(store: Store) -> None:
    record = await stored_scenario(store)
    await store.add_scenario_version(record)
    assert await store.delete_scenario(A, record.id)
    await store.put_scenario(record)  # the same id again starts a new history
    assert await store.list_scenario_versions(A, record.id) == []
    assert (await store.add_scenario_version(record)).n == 1


async def test_old_versions_are_purged_but_the_newest_stays(store: Store) -> None:
    from scenarist.store.ports import VERSIONS_KEPT_DAYS

    record = await stored_scenario(store)
    for n in range(3):
        await store.add_scenario_version(replace(record, updated_at=T0 + n * SECOND))
    later = T0 + timedelta(days=VERSIONS_KEPT_DAYS, seconds=1.5)  # the first two are past their window
    counts = await store.purge(later, RetentionWindows(runs_days=10_000))
    assert counts["versions"] == 2
    assert [v.n for v in await store.list_scenario_versions(A, record.id)] == [3]
    assert (await store.purge(later + timedelta(days=999), RetentionWindows(runs_days=10_000)))["versions"] == 0
