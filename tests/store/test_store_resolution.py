"""Resolving an incomplete execution (``resolve_incomplete``), on every backend."""

from __future__ import annotations

from scenarist.store.ports import Store
from scenarist.types import RunStatus, new_id
from tests.store.store_records import A, B, incomplete, stored_execution, stored_scenario


async def test_resolving_deletes_it_and_marks_the_original_success_by_the_retry(store: Store) -> None:
    parent = await stored_scenario(store)
    original = await stored_execution(store, parent, status=RunStatus.INCOMPLETE)
    waiting = incomplete(original)
    await store.put_incomplete(waiting)
    retry = await stored_execution(store, parent, status=RunStatus.SUCCESS, retry_of=waiting.id,
                                   trigger_event="retry")
    assert await store.resolve_incomplete(A, waiting.id, retry.id) is True
    assert await store.get_incomplete(A, waiting.id) is None
    resolved = await store.get_execution(A, original.id)
    assert resolved is not None
    assert (resolved.status, resolved.resolved_by) == (RunStatus.SUCCESS, retry.id)
    kept = await store.get_execution(A, retry.id)
    assert kept is not None
    assert (kept.status, kept.resolved_by, kept.retry_of) == (RunStatus.SUCCESS, None, waiting.id)


async def test_retries_that_failed_again_are_resolved_with_the_original(store: Store) -> None:
    parent = await stored_scenario(store)
    original = await stored_execution(store, parent, status=RunStatus.INCOMPLETE)
    waiting = incomplete(original)
    await store.put_incomplete(waiting)
    failed = await stored_execution(store, parent, status=RunStatus.INCOMPLETE, retry_of=waiting.id)
    retry = await stored_execution(store, parent, status=RunStatus.SUCCESS, retry_of=waiting.id)
    await store.resolve_incomplete(A, waiting.id, retry.id)
    statuses = await store.list_executions(A, parent.id, status=RunStatus.INCOMPLETE)
    assert statuses == []
    again = await store.get_execution(A, failed.id)
    assert again is not None and again.resolved_by == retry.id


async def test_an_execution_still_waiting_on_another_incomplete_stays_incomplete(store: Store) -> None:
    parent = await stored_scenario(store)
    original = await stored_execution(store, parent, status=RunStatus.INCOMPLETE)
    first, second = incomplete(original), incomplete(original)
    for record in (first, second):
        await store.put_incomplete(record)
    retry = await stored_execution(store, parent, status=RunStatus.SUCCESS, retry_of=first.id)
    await store.resolve_incomplete(A, first.id, retry.id)
    still = await store.get_execution(A, original.id)
    assert still is not None and (still.status, still.resolved_by) == (RunStatus.INCOMPLETE, None)
    later = await stored_execution(store, parent, status=RunStatus.SUCCESS, retry_of=second.id)
    await store.resolve_incomplete(A, second.id, later.id)
    done = await store.get_execution(A, original.id)
    assert done is not None and (done.status, done.resolved_by) == (RunStatus.SUCCESS, later.id)


async def test_another_accounts_incomplete_is_not_resolved(store: Store) -> None:
    parent = await stored_scenario(store)
    original = await stored_execution(store, parent, status=RunStatus.INCOMPLETE)
    waiting = incomplete(original)
    await store.put_incomplete(waiting)
    assert await store.resolve_incomplete(B, waiting.id, new_id()) is False
    assert await store.get_incomplete(A, waiting.id) == waiting
    untouched = await store.get_execution(A, original.id)
    assert untouched is not None and untouched.status == RunStatus.INCOMPLETE
