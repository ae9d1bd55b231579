"""Error handlers, incomplete executions, retries and deactivation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scenarist.engine.service import Engine
from scenarist.types import ManualClock, RunStatus
from tests.engine.conftest import outputs, run, scenario, step


def failing(directive: str | None = None, error_type: str = "DataError", **handler: object) -> dict:
    fail = step("boom", "probe.fail", type=error_type, message="bad {{ items.value }}")
    if directive:
        fail["on_error"] = {"directive": directive, **handler}
    return fail


def around(fail_step: dict, **settings: object) -> dict:
    """trigger -> iterator over the body -> fail_step -> after."""
    return scenario(
        step("items", "flow.iterator", array="{{ hook.body }}"),
        fail_step,
        step("after", "tools.set_variables", variables={"v": "{{ items.value }}", "b": "{{ boom }}"}),
        **settings,
    )


async def test_ignore_drops_the_bundle_and_the_run_succeeds(engine: Engine) -> None:
    result = await run(engine, around(failing("ignore")), [1, 2])
    assert result.execution.status == RunStatus.SUCCESS
    assert await outputs(engine, result, "after") == []
    assert result.incomplete == []


async def test_resume_substitutes_the_output_and_goes_on(engine: Engine) -> None:
    fail_step = failing("resume", output={"fallback": "{{ error.type }} at {{ error.step }}"})
    result = await run(engine, around(fail_step), [1])
    assert result.execution.status == RunStatus.SUCCESS
    assert await outputs(engine, result, "after") == [{"v": 1, "b": {"fallback": "DataError at boom"}}]


async def test_handler_flow_runs_with_the_error_before_the_directive(engine: Engine) -> None:
    fail_step = failing("ignore", flow=[step("note", "tools.set_variables", variables={
        "message": "{{ error.message }}", "type": "{{ error.type }}"})])
    result = await run(engine, around(fail_step), [7])
    assert await outputs(engine, result, "note") == [{"message": "bad 7", "type": "DataError"}]


async def test_commit_stops_the_run_as_success(engine: Engine) -> None:
    result = await run(engine, around(failing("commit")), [1, 2])
    assert result.execution.status == RunStatus.SUCCESS
    activity = await engine.store.get_activity("local", result.execution.id)
    assert [r.step for r in activity].count("boom") == 1


async def test_rollback_stops_the_run_as_error(engine: Engine) -> None:
    result = await run(engine, around(failing("rollback")), [1, 2])
    assert result.execution.status == RunStatus.ERROR
    assert result.execution.error == {"type": "DataError", "message": "bad 1", "step": "boom"}
    assert result.incomplete == []


async def test_break_stores_each_failed_bundle_and_ends_with_a_warning(engine: Engine, clock: ManualClock) -> None:
    result = await run(engine, around(failing("break")), [1, 2])
    assert result.execution.status == RunStatus.WARNING
    assert [r.step for r in result.incomplete] == ["boom", "boom"]
    assert all(r.next_retry_at == clock.now() + timedelta(minutes=1) for r in result.incomplete)


async def test_unhandled_error_stores_each_failed_bundle_and_the_others_go_on(engine: Engine) -> None:
    result = await run(engine, around(failing()), [1, 2])
    assert result.execution.status == RunStatus.INCOMPLETE
    assert result.execution.error == {"type": "DataError", "message": "bad 1", "step": "boom"}
    records = await engine.store.list_incomplete("local")
    assert sorted((r.step, r.error["message"], r.next_retry_at) for r in records) == [
        ("boom", "bad 1", None), ("boom", "bad 2", None)]
    assert await outputs(engine, result, "after") == []


async def test_unhandled_error_without_store_incomplete_ends_in_error(engine: Engine) -> None:
    result = await run(engine, around(failing(), store_incomplete=False), [1])
    assert result.execution.status == RunStatus.ERROR
    assert await engine.store.list_incomplete("local") == []


async def test_trigger_error_ends_the_run_in_error_without_incomplete(engine: Engine) -> None:
    definition = scenario(trigger={"id": "t", "module": "probe.fail", "params": {"type": "ConnectionError"}})
    definition["schedule"] = {"type": "on_demand"}
    result = await run(engine, definition)
    assert result.execution.status == RunStatus.ERROR
    assert await engine.store.list_incomplete("local") == []


@pytest.mark.parametrize("error_type", ["ConnectionError", "ModuleTimeoutError", "RateLimitError"])
async def test_retried_types_are_retried_automatically_on_the_backoff(
    engine: Engine, clock: ManualClock, error_type: str
) -> None:
    await run(engine, around(failing(error_type=error_type)), [1])
    [record] = await engine.store.list_incomplete("local")
    waits = []
    for _ in range(9):
        assert record.next_retry_at is not None
        waits.append(record.next_retry_at - clock.now())
        clock.set(record.next_retry_at - timedelta(seconds=1))
        assert await engine.retry_due() == []
        clock.advance(1)
        [retried] = await engine.retry_due()
        assert retried.execution.status == RunStatus.INCOMPLETE
        [record] = await engine.store.list_incomplete("local")
        if record.next_retry_at is None:
            break
    minutes = [w.total_seconds() / 60 for w in waits]
    assert minutes == [1, 10, 10, 30, 30, 30, 180, 180]
    assert record.attempts == 8


async def test_rate_limit_retry_after_sets_the_next_retry(engine: Engine, clock: ManualClock) -> None:
    fail_step = step("boom", "probe.fail", type="RateLimitError", retry_after=90)
    await run(engine, around(fail_step), [1])
    [record] = await engine.store.list_incomplete("local")
    assert record.next_retry_at == clock.now() + timedelta(seconds=90)


async def test_manual_retry_resumes_at_the_failed_step_with_the_stored_state(engine: Engine) -> None:
    definition = scenario(
        step("items", "flow.iterator", array="{{ hook.body }}"),
        step("call", "probe.flaky"),
        step("after", "tools.set_variables", variables={"v": "{{ items.value }}"}),
    )
    record = await engine.save_scenario(definition)
    first = await engine.run(record, ["first", "second"])
    assert first.execution.status == RunStatus.INCOMPLETE
    waiting = await engine.store.list_incomplete("local")
    assert len(waiting) == 2  # each bundle waits in its own incomplete execution
    await engine.store.set_state(record.id, "healthy", True)
    resumed = []
    for incomplete in waiting:
        retried = await engine.retry_incomplete("local", incomplete.id)
        assert retried is not None and retried.execution.status == RunStatus.SUCCESS
        resumed += await outputs(engine, retried, "after")
    assert sorted(r["v"] for r in resumed) == ["first", "second"]
    assert await engine.store.list_incomplete("local") == []


async def test_a_failed_manual_retry_keeps_the_incomplete_with_one_more_attempt(engine: Engine) -> None:
    await run(engine, around(failing()), [1])
    [before] = await engine.store.list_incomplete("local")
    result = await engine.retry_incomplete("local", before.id)
    assert result is not None and result.execution.status == RunStatus.INCOMPLETE
    [after] = await engine.store.list_incomplete("local")
    assert (after.id, after.attempts) == (before.id, 1)


async def test_deleting_an_incomplete_execution(engine: Engine) -> None:
    await run(engine, around(failing()), [1])
    [record] = await engine.store.list_incomplete("local")
    assert await engine.delete_incomplete("local", record.id)
    assert await engine.retry_incomplete("local", record.id) is None


async def test_consecutive_errors_deactivate_the_scenario_and_notify(engine: Engine) -> None:
    record = await engine.save_scenario(around(failing("rollback"), max_consecutive_errors=2), active=True)
    await engine.run(record, [1])
    assert (await engine.store.get_scenario("local", record.id)).active  # type: ignore[union-attr]
    await engine.run(record, [1])
    stored = await engine.store.get_scenario("local", record.id)
    assert stored is not None and not stored.active
    kinds = [n.kind for n in await engine.store.list_notifications("local")]
    assert "scenario_deactivated" in kinds


async def test_a_success_resets_the_consecutive_error_count(engine: Engine) -> None:
    record = await engine.save_scenario(around(failing("rollback"), max_consecutive_errors=2), active=True)
    await engine.run(record, [1])
    await engine.run(record, [])
    await engine.run(record, [1])
    stored = await engine.store.get_scenario("local", record.id)
    assert stored is not None and stored.active


async def test_storing_an_incomplete_execution_raises_a_notification(engine: Engine) -> None:
    await run(engine, around(failing()), [1])
    [note] = await engine.store.list_notifications("local")
    assert note.kind == "incomplete_execution"
