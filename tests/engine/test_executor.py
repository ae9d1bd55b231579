"""Make's bundle semantics, through the engine's public API."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarist.engine.service import Engine
from scenarist.types import RunStatus
from tests.engine.conftest import outputs, run, scenario, step


async def test_set_variables_shapes_the_trigger_output(engine: Engine) -> None:
    definition = scenario(step("shape", "tools.set_variables", variables={
        "id": "{{ hook.body.id }}", "name_upper": "{{ hook.body.name | upper }}",
        "amount_cents": "{{ hook.body.amount * 100 }}", "tag_count": "{{ hook.body.tags | length }}",
    }))
    result = await run(engine, definition, {"id": 7, "name": "ada", "amount": 12, "tags": ["a", "b"]})
    assert result.execution.status == RunStatus.SUCCESS
    assert await outputs(engine, result, "shape") == [
        {"id": 7, "name_upper": "ADA", "amount_cents": 1200, "tag_count": 2}
    ]


async def test_trigger_outputs_the_input_as_a_post_body(engine: Engine) -> None:
    result = await run(engine, scenario(), {"x": 1})
    assert await outputs(engine, result, "hook") == [
        {"method": "POST", "headers": {}, "query": {}, "body": {"x": 1}}
    ]
    assert result.execution.operations == 1


async def test_false_filter_stops_the_bundle_without_an_operation(engine: Engine) -> None:
    definition = scenario(
        step("a", "tools.set_variables", variables={"v": 1}),
        {**step("b", "tools.set_variables", variables={"v": 2}),
         "filter": {"label": "never", "condition": "{{ hook.body.amount > 10 }}"}},
        step("c", "tools.set_variables", variables={"v": 3}),
    )
    result = await run(engine, definition, {"amount": 3})
    assert result.execution.status == RunStatus.SUCCESS
    assert result.execution.operations == 2
    activity = await engine.store.get_activity("local", result.execution.id)
    assert [(r.step, r.status) for r in activity] == [("hook", "success"), ("a", "success"), ("b", "filtered")]


async def test_routes_run_in_order_and_fallback_only_when_none_passed(engine: Engine) -> None:
    def definition() -> dict:
        return scenario({"id": "split", "router": [
            {"label": "big", "filter": {"condition": "{{ hook.body.n > 10 }}"},
             "flow": [step("big", "tools.set_variables", variables={"r": "big"})]},
            {"fallback": True, "flow": [step("other", "tools.set_variables", variables={"r": "other"})]},
            {"label": "even", "filter": {"condition": "{{ hook.body.n % 2 == 0 }}"},
             "flow": [step("even", "tools.set_variables", variables={"r": "even"})]},
        ]})

    big_even = await run(engine, definition(), {"n": 12})
    activity = await engine.store.get_activity("local", big_even.execution.id)
    assert [r.step for r in activity] == ["hook", "big", "even"]
    odd_small = await run(engine, definition(), {"n": 3})
    activity = await engine.store.get_activity("local", odd_small.execution.id)
    assert [r.step for r in activity] == ["hook", "other"]


async def test_iterator_runs_the_rest_of_the_flow_once_per_element_depth_first(engine: Engine) -> None:
    definition = scenario(
        step("items", "flow.iterator", array="{{ hook.body }}"),
        step("a", "tools.set_variables", variables={"v": "{{ items.value }}"}),
        step("b", "tools.set_variables", variables={"v": "{{ a.v * 10 }}", "i": "{{ items.index }}"}),
    )
    result = await run(engine, definition, [1, 2])
    activity = await engine.store.get_activity("local", result.execution.id)
    assert [(r.step, r.bundle) for r in activity] == [
        ("hook", 0), ("items", 0), ("a", 0), ("b", 0), ("a", 1), ("b", 1)
    ]
    assert await outputs(engine, result, "b") == [{"v": 10, "i": 0}, {"v": 20, "i": 1}]
    assert result.execution.operations == 6


async def test_iterator_bundles_carry_value_index_and_total(engine: Engine) -> None:
    result = await run(engine, scenario(step("items", "flow.iterator", array="{{ hook.body }}")), ["x", "y"])
    assert await outputs(engine, result, "items") == [[
        {"value": "x", "index": 0, "total": 2}, {"value": "y", "index": 1, "total": 2}
    ]]


def aggregate_scenario(**aggregator_params: object) -> dict:
    return scenario(
        step("items", "flow.iterator", array="{{ hook.body }}"),
        {**step("agg", "flow.array_aggregator", source="items", **aggregator_params),
         "filter": {"condition": "{{ items.value.keep }}"}},
        step("answer", "webhooks.respond", body="{{ agg }}"),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fixed_dictionaries({"n": st.integers(-5, 5), "keep": st.booleans()}), max_size=12))
async def test_iterator_then_aggregator_returns_the_filtered_input_in_order(engine: Engine, items: list) -> None:
    result = await run(engine, aggregate_scenario(value="{{ items.value.n }}"), items)
    assert result.response is not None
    assert result.response["body"] == {"array": [i["n"] for i in items if i["keep"]]}
    assert result.execution.operations == 1 + 1 + 1 + 1  # trigger, iterator, aggregator, respond


async def test_aggregator_groups_by_key_in_first_seen_order(engine: Engine) -> None:
    items = [{"k": "b", "n": 1, "keep": True}, {"k": "a", "n": 2, "keep": True}, {"k": "b", "n": 3, "keep": True}]
    definition = aggregate_scenario(value="{{ items.value.n }}", group_by="{{ items.value.k }}")
    result = await run(engine, definition, items)
    assert await outputs(engine, result, "agg") == [{"key": "b", "array": [1, 3]}, {"key": "a", "array": [2]}]
    assert result.execution.operations == 1 + 1 + 2 + 2  # the aggregator counts one per emitted bundle


async def test_steps_after_an_aggregator_run_once_per_emitted_bundle(engine: Engine) -> None:
    result = await run(engine, aggregate_scenario(value="{{ items.value.n }}"), [])
    assert result.response is not None
    assert result.response["body"] == {"array": []}


async def test_repeater_emits_i_from_start_by_step(engine: Engine) -> None:
    definition = scenario(step("rep", "flow.repeater", repeats=3, start=5, step=2),
                          step("v", "tools.set_variables", variables={"i": "{{ rep.i }}"}))
    result = await run(engine, definition)
    assert await outputs(engine, result, "v") == [{"i": 5}, {"i": 7}, {"i": 9}]


async def test_webhook_respond_sets_the_runs_response(engine: Engine) -> None:
    definition = scenario(step("answer", "webhooks.respond", status=201, body={"got": "{{ hook.body.id }}"},
                               headers={"X-Id": "{{ hook.body.id }}"}))
    result = await run(engine, definition, {"id": 5})
    assert result.response == {"status": 201, "headers": {"X-Id": "5"}, "body": {"got": 5}}
    stored = await engine.store.get_execution("local", result.execution.id)
    assert stored is not None and stored.response == result.response


async def test_increment_persists_per_scenario_across_runs(engine: Engine) -> None:
    record = await engine.save_scenario(scenario(step("count", "tools.increment")))
    values = []
    for _ in range(3):
        result = await engine.run(record, None)
        values.extend(o["value"] for o in await outputs(engine, result, "count"))
    assert values == [1, 2, 3]


async def test_polling_trigger_runs_up_to_max_cycles(engine: Engine) -> None:
    definition = scenario(
        step("v", "tools.set_variables", variables={"item": "{{ feed.item }}"}),
        trigger={"id": "feed", "module": "probe.poll", "params": {"items": [1, 2, 3, 4, 5], "batch": 2}},
        max_cycles=2,
    )
    definition["schedule"] = {"type": "interval", "minutes": 5}
    record = await engine.save_scenario(definition)
    first = await engine.run(record)
    assert [o["item"] for o in await outputs(engine, first, "v")] == [1, 2, 3, 4]
    second = await engine.run(record)
    assert [o["item"] for o in await outputs(engine, second, "v")] == [5]


async def test_a_polling_cursor_is_stored_only_once_its_bundles_went_through(engine: Engine) -> None:
    definition = scenario(
        step("check", "probe.flaky", key="healthy"),
        trigger={"id": "feed", "module": "probe.poll", "params": {"items": [1, 2, 3], "batch": 2}},
        store_incomplete=False, max_cycles=5,
    )
    definition["schedule"] = {"type": "interval", "minutes": 5}
    record = await engine.save_scenario(definition)
    failed = await engine.run(record)
    assert failed.execution.status == RunStatus.ERROR
    assert await engine.store.get_state(record.id, "cursor") is None  # the same items are polled again
    await engine.store.set_state(record.id, "healthy", True)
    recovered = await engine.run(record)
    assert recovered.execution.status == RunStatus.SUCCESS
    polled = [bundle["item"] for output in await outputs(engine, recovered, "feed") for bundle in output]
    assert polled == [1, 2, 3]
    assert len(await outputs(engine, recovered, "check")) == 3
    assert await engine.store.get_state(record.id, "cursor") == 6  # the empty third poll stored its cursor too


async def test_a_poll_whose_failed_bundles_wait_as_incomplete_stores_its_cursor(engine: Engine) -> None:
    definition = scenario(
        step("check", "probe.flaky", key="healthy"),
        trigger={"id": "feed", "module": "probe.poll", "params": {"items": [1, 2, 3], "batch": 3}},
    )
    definition["schedule"] = {"type": "interval", "minutes": 5}
    record = await engine.save_scenario(definition)
    first = await engine.run(record)
    assert first.execution.status == RunStatus.INCOMPLETE
    assert len(await engine.store.list_incomplete("local")) == 3  # every bundle waits, none is lost
    assert await engine.store.get_state(record.id, "cursor") == 3  # so the poll is not repeated
    second = await engine.run(record)
    assert second.execution.status == RunStatus.SUCCESS
    assert len(await engine.store.list_incomplete("local")) == 3


async def test_a_commit_handler_stores_the_polls_cursor(engine: Engine) -> None:
    failing = step("check", "probe.fail")
    failing["on_error"] = {"directive": "commit"}
    definition = scenario(failing, trigger={"id": "feed", "module": "probe.poll",
                                            "params": {"items": [1, 2, 3], "batch": 2}})
    definition["schedule"] = {"type": "interval", "minutes": 5}
    record = await engine.save_scenario(definition)
    assert (await engine.run(record)).execution.status == RunStatus.SUCCESS
    assert await engine.store.get_state(record.id, "cursor") == 2


async def test_run_is_cut_at_its_timeout_with_a_warning(engine: Engine) -> None:
    definition = scenario(step("wait", "probe.slow", seconds=5), timeout_seconds=0.05)
    result = await run(engine, definition)
    assert result.execution.status == RunStatus.WARNING
    assert result.execution.error is not None
    assert result.execution.error["type"] == "ModuleTimeoutError"


async def test_expression_error_fails_the_step_with_data_error(engine: Engine) -> None:
    definition = scenario(step("bad", "tools.set_variables", variables={"x": "{{ hook.body.s * 'a' }}"}),
                          store_incomplete=False)
    result = await run(engine, definition, {"s": "text"})
    assert result.execution.status == RunStatus.ERROR
    assert result.execution.error is not None
    assert (result.execution.error["type"], result.execution.error["step"]) == ("DataError", "bad")


async def test_wrong_param_type_at_run_time_is_a_data_error_naming_the_param(engine: Engine) -> None:
    definition = scenario(step("wait", "tools.sleep", seconds="{{ hook.body }}"), store_incomplete=False)
    result = await run(engine, definition, "soon")
    assert result.execution.error is not None
    assert result.execution.error["type"] == "DataError"
    assert "params.seconds" in result.execution.error["message"]
