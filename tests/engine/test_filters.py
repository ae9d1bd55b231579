"""Filters in both forms, run by the engine: a false one stops the bundle, a failing one is its step's error."""

from __future__ import annotations

from typing import Any

import pytest

from scenarist.engine.service import Engine
from scenarist.types import ManualClock, RunStatus
from tests.engine.conftest import outputs, run, scenario, step


def filtered(step_id: str, condition: dict[str, Any], value: str = "{{ items.value }}", **extra: Any) -> dict[str, Any]:
    return {**step(step_id, "tools.set_variables", variables={"v": value}), "filter": condition, **extra}


def over_items(*flow: dict[str, Any], **settings: Any) -> dict[str, Any]:
    return scenario(step("items", "flow.iterator", array="{{ hook.body }}"), *flow, **settings)


def rows(*groups: list[tuple[Any, ...]]) -> dict[str, Any]:
    return {"conditions": [[dict(zip("aob", row, strict=False)) for row in group] for group in groups]}


async def passed(engine: Engine, condition: dict[str, Any], body: list[Any]) -> list[Any]:
    result = await run(engine, over_items(filtered("chosen", condition)), body)
    assert result.execution.status == RunStatus.SUCCESS, result.execution.error
    return [o["v"] for o in await outputs(engine, result, "chosen")]


async def test_rows_of_a_group_must_all_hold(engine: Engine) -> None:
    condition = rows([("{{ items.value.n }}", "number:greater", 2), ("{{ items.value.tag }}", "text:equal", "x")])
    body = [{"n": 3, "tag": "x"}, {"n": 3, "tag": "y"}, {"n": 1, "tag": "x"}]
    assert await passed(engine, condition, body) == [{"n": 3, "tag": "x"}]


async def test_one_group_holding_is_enough(engine: Engine) -> None:
    condition = rows([("{{ items.value }}", "number:less", 2)], [("{{ items.value }}", "number:greater", 8)])
    assert await passed(engine, condition, [1, 5, 9]) == [1, 9]


async def test_exist_counts_zero_false_and_empty_text_but_not_null(engine: Engine) -> None:
    condition = rows([("{{ items.value.x }}", "exist")])
    body = [{"x": 0}, {"x": False}, {"x": ""}, {"x": None}, {}]
    assert await passed(engine, condition, body) == [{"x": 0}, {"x": False}, {"x": ""}]


async def test_numeric_text_compares_as_a_number(engine: Engine) -> None:
    condition = rows([("{{ items.value }}", "number:greater", "100")])
    assert await passed(engine, condition, ["150", "20", 101]) == ["150", 101]


async def test_case_insensitive_text_and_patterns(engine: Engine) -> None:
    condition = rows([("{{ items.value }}", "text:contains:ci", "ADA")], [("{{ items.value }}", "text:pattern",
                                                                            r"^\d{3}$")])
    assert await passed(engine, condition, ["Ada L.", "Grace", "123", "1234"]) == ["Ada L.", "123"]


async def test_constants_and_expressions_mix_on_both_sides(engine: Engine) -> None:
    condition = rows([("{{ items.value.a }}", "number:equal", "{{ items.value.b }}")])
    assert await passed(engine, condition, [{"a": 1, "b": 1}, {"a": 1, "b": 2}]) == [{"a": 1, "b": 1}]


async def test_a_false_structured_filter_records_filtered_and_counts_no_operation(engine: Engine) -> None:
    definition = scenario(filtered("never", rows([("{{ hook.body.n }}", "number:greater", 10)]), "{{ hook }}"))
    result = await run(engine, definition, {"n": 1})
    activity = await engine.store.get_activity("local", result.execution.id)
    assert [(r.step, r.status) for r in activity] == [("hook", "success"), ("never", "filtered")]
    assert result.execution.operations == 1


async def test_route_filters_take_the_structured_form(engine: Engine) -> None:
    definition = scenario({"id": "split", "router": [
        {"filter": rows([("{{ hook.body.kind }}", "text:equal:ci", "order")]),
         "flow": [step("order", "tools.set_variables", variables={"r": 1})]},
        {"fallback": True, "flow": [step("other", "tools.set_variables", variables={"r": 2})]},
    ]})
    result = await run(engine, definition, {"kind": "ORDER"})
    assert await outputs(engine, result, "order") == [{"r": 1}]
    assert await outputs(engine, result, "other") == []


# -- a failing filter is its step's DataError ---------------------------------------------

BAD_ROW = rows([("{{ items.value }}", "number:greater", 1)])
"""Fails for a bundle whose value is an object (comparing an object with a number)."""
BAD_EXPRESSION = {"condition": "{{ items.value > 1 }}"}


@pytest.mark.parametrize("condition", [BAD_ROW, BAD_EXPRESSION], ids=["conditions", "condition"])
async def test_a_failing_filter_stores_the_bundle_and_the_others_go_on(engine: Engine, condition: dict) -> None:
    definition = over_items(filtered("chosen", condition))
    result = await run(engine, definition, [5, {"x": 1}, 7])
    assert result.execution.status == RunStatus.INCOMPLETE
    error = result.execution.error
    assert error is not None and error["type"] == "DataError" and error["step"] == "chosen"
    assert error["message"].startswith("flow[1].filter.")
    assert [o["v"] for o in await outputs(engine, result, "chosen")] == [5, 7]
    [record] = await engine.store.list_incomplete("local")
    assert record.step == "chosen" and record.next_retry_at is None


async def test_the_message_names_the_condition_that_failed(engine: Engine) -> None:
    result = await run(engine, over_items(filtered("chosen", BAD_ROW)), [{"x": 1}])
    assert result.execution.error is not None
    assert result.execution.error["message"] == (
        "flow[1].filter.conditions[0][0] (number:greater): cannot compare an object with a number")


async def test_a_failing_filter_is_in_the_activity_stream_without_an_operation(engine: Engine) -> None:
    result = await run(engine, over_items(filtered("chosen", BAD_ROW)), [{"x": 1}])
    activity = await engine.store.get_activity("local", result.execution.id)
    assert [(r.step, r.status) for r in activity][-1] == ("chosen", "error")
    assert result.execution.operations == 2  # the trigger and the iterator


async def test_without_store_incomplete_a_failing_filter_ends_the_run_in_error(engine: Engine) -> None:
    result = await run(engine, over_items(filtered("chosen", BAD_ROW), store_incomplete=False), [{"x": 1}])
    assert result.execution.status == RunStatus.ERROR
    assert await engine.store.list_incomplete("local") == []


@pytest.mark.parametrize(("directive", "status", "picked"), [
    ("ignore", RunStatus.SUCCESS, [5]), ("break", RunStatus.WARNING, [5]), ("rollback", RunStatus.ERROR, []),
    ("commit", RunStatus.SUCCESS, []),
])
async def test_the_steps_handler_takes_a_filter_error(engine: Engine, directive: str, status: RunStatus,
                                                      picked: list[Any]) -> None:
    definition = over_items(filtered("chosen", BAD_ROW, on_error={"directive": directive}))
    result = await run(engine, definition, [{"x": 1}, 5])
    assert result.execution.status == status
    assert [o["v"] for o in await outputs(engine, result, "chosen")] == picked


async def test_resume_after_a_filter_error_goes_on_with_the_given_output(engine: Engine) -> None:
    fail = filtered("chosen", BAD_ROW, on_error={"directive": "resume", "output": {"v": "{{ error.type }}"},
                                               "flow": [step("note", "tools.set_variables",
                                                             variables={"m": "{{ error.message }}"})]})
    definition = over_items(fail, step("after", "tools.set_variables", variables={"got": "{{ chosen.v }}"}))
    result = await run(engine, definition, [{"x": 1}])
    assert result.execution.status == RunStatus.SUCCESS
    assert await outputs(engine, result, "after") == [{"got": "DataError"}]
    [note] = await outputs(engine, result, "note")
    assert "cannot compare an object with a number" in note["m"]


async def test_a_retry_after_fixing_the_filter_runs_the_stored_bundle(engine: Engine, clock: ManualClock) -> None:
    definition = over_items(filtered("chosen", BAD_ROW))
    record = await engine.save_scenario(definition)
    await engine.run(record, [{"x": 1}])
    [incomplete] = await engine.store.list_incomplete("local")
    fixed = over_items(filtered("chosen", rows([("{{ items.value.x }}", "number:greater", 0)])))
    clock.advance(1)
    await engine.save_scenario(fixed, scenario_id=record.id)
    retried = await engine.retry_incomplete("local", incomplete.id)
    assert retried is not None and retried.execution.status == RunStatus.SUCCESS
    assert await outputs(engine, retried, "chosen") == [{"v": {"x": 1}}]
    assert await engine.store.list_incomplete("local") == []


async def test_a_failing_route_filter_stores_the_bundle_at_that_route(engine: Engine, clock: ManualClock) -> None:
    def definition(second: dict[str, Any]) -> dict[str, Any]:
        return scenario({"id": "split", "router": [
            {"flow": [step("first", "tools.increment")]},
            {"filter": second, "flow": [step("second", "tools.set_variables", variables={"r": 2})]},
        ]})

    record = await engine.save_scenario(definition(rows([("{{ hook.body }}", "text:equal", "x")])))
    first = await engine.run(record, {"an": "object"})
    assert first.execution.status == RunStatus.INCOMPLETE
    assert first.execution.error is not None and first.execution.error["step"] == "split"
    assert (await outputs(engine, first, "first")) == [{"value": 1}]
    [incomplete] = await engine.store.list_incomplete("local")
    clock.advance(1)
    await engine.save_scenario(definition(rows([("{{ hook.body.an }}", "text:equal", "object")])),
                               scenario_id=record.id)
    retried = await engine.retry_incomplete("local", incomplete.id)
    assert retried is not None and retried.execution.status == RunStatus.SUCCESS
    assert await outputs(engine, retried, "first") == []  # the route that ran already does not run again
    assert await outputs(engine, retried, "second") == [{"r": 2}]
