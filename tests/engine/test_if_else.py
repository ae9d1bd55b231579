"""If-else and merge: the first branch whose condition holds runs, and the steps after the block go on."""

from __future__ import annotations

from typing import Any

from scenarist.engine.service import Engine
from scenarist.types import ManualClock, RunStatus
from tests.engine.conftest import outputs, run, scenario, step


def setv(step_id: str, **variables: Any) -> dict[str, Any]:
    return step(step_id, "tools.set_variables", variables=variables)


def sizes(*after: dict[str, Any], otherwise: bool = True) -> dict[str, Any]:
    """items -> if_else (big: n > 10 / small: conditions n < 3 / else) -> after..."""
    block: dict[str, Any] = {"id": "size", "if_else": [
        {"label": "big", "condition": "{{ items.value > 10 }}", "flow": [setv("big", kind="big")]},
        {"label": "small", "conditions": [[{"a": "{{ items.value }}", "o": "number:less", "b": 3}]],
         "flow": [setv("small", kind="small"), setv("tiny", seen="{{ small.kind }}")]},
    ]}
    if otherwise:
        block["else"] = {"flow": [setv("middle", kind="middle")]}
    return scenario(step("items", "flow.iterator", array="{{ hook.body }}"), block, *after)


MERGE = setv("merged", n="{{ items.value }}", big="{{ big.kind }}", small="{{ small.kind }}",
             middle="{{ middle.kind }}")


async def test_the_first_branch_that_holds_runs_else_the_else_flow(engine: Engine) -> None:
    result = await run(engine, sizes(), [20, 1, 5])
    assert result.execution.status == RunStatus.SUCCESS
    activity = await engine.store.get_activity("local", result.execution.id)
    assert [r.step for r in activity if r.step not in ("hook", "items")] == ["big", "small", "tiny", "middle"]


async def test_only_the_first_branch_runs_even_when_later_ones_hold(engine: Engine) -> None:
    definition = scenario({"id": "check", "if_else": [
        {"condition": "{{ true }}", "flow": [setv("first", r=1)]},
        {"condition": "{{ true }}", "flow": [setv("second", r=2)]},
    ]})
    result = await run(engine, definition)
    assert await outputs(engine, result, "first") == [{"r": 1}]
    assert await outputs(engine, result, "second") == []


async def test_without_else_a_bundle_no_branch_takes_stops(engine: Engine) -> None:
    result = await run(engine, sizes(setv("merged", n="{{ items.value }}"), otherwise=False), [20, 5])
    assert [m["n"] for m in await outputs(engine, result, "merged")] == [20]


async def test_steps_after_the_block_see_the_branch_that_ran_and_null_for_the_others(engine: Engine) -> None:
    result = await run(engine, sizes(MERGE), [20, 1, 5])
    assert await outputs(engine, result, "merged") == [
        {"n": 20, "big": "big", "small": None, "middle": None},
        {"n": 1, "big": None, "small": "small", "middle": None},
        {"n": 5, "big": None, "small": None, "middle": "middle"},
    ]


async def test_each_bundle_out_of_a_branch_runs_the_steps_after_it(engine: Engine) -> None:
    definition = scenario(
        {"id": "fan", "if_else": [{"condition": "{{ hook.body.split }}", "flow": [
            step("parts", "flow.iterator", array="{{ hook.body.items }}")]}],
         "else": {"flow": []}},
        setv("after", part="{{ parts.value }}"),
    )
    split = await run(engine, definition, {"split": True, "items": ["a", "b"]})
    assert await outputs(engine, split, "after") == [{"part": "a"}, {"part": "b"}]
    whole = await run(engine, definition, {"split": False, "items": ["a", "b"]})
    assert await outputs(engine, whole, "after") == [{"part": None}]


async def test_the_block_counts_no_operation_and_is_not_in_the_activity_stream(engine: Engine) -> None:
    definition = scenario({"id": "check", "if_else": [{"condition": "{{ false }}", "flow": []}],
                           "else": {"flow": [setv("x", v=1)]}}, setv("after", v=2))
    result = await run(engine, definition)
    assert result.execution.operations == 3
    activity = await engine.store.get_activity("local", result.execution.id)
    assert [r.step for r in activity] == ["hook", "x", "after"]


async def test_blocks_nest_and_merge_level_by_level(engine: Engine) -> None:
    inner = {"id": "inner", "if_else": [{"condition": "{{ hook.body.b }}", "flow": [setv("ib", v="b")]}],
             "else": {"flow": [setv("inb", v="not b")]}}
    definition = scenario({"id": "outer", "if_else": [{"condition": "{{ hook.body.a }}", "flow": [inner,
                                                                                                  setv("ia", v="a")]}]},
                          setv("end", ib="{{ ib.v }}", inb="{{ inb.v }}", ia="{{ ia.v }}"))
    result = await run(engine, definition, {"a": True, "b": False})
    assert await outputs(engine, result, "end") == [{"ib": None, "inb": "not b", "ia": "a"}]


async def test_a_router_inside_a_branch_sends_each_route_on_after_the_block(engine: Engine) -> None:
    definition = scenario({"id": "check", "if_else": [{"condition": "{{ true }}", "flow": [
        {"id": "split", "router": [{"flow": [setv("r1", r=1)]}, {"flow": [setv("r2", r=2)]}]}]}]},
        setv("after", r1="{{ r1.r }}", r2="{{ r2.r }}"))
    result = await run(engine, definition)
    assert await outputs(engine, result, "after") == [{"r1": 1, "r2": None}, {"r1": None, "r2": 2}]


async def test_resume_inside_a_branch_goes_on_after_the_block(engine: Engine) -> None:
    failing = {**step("boom", "probe.fail"), "on_error": {"directive": "resume", "output": {"v": "instead"}}}
    definition = scenario({"id": "check", "if_else": [{"condition": "{{ true }}", "flow": [failing]}]},
                          setv("after", v="{{ boom.v }}"))
    result = await run(engine, definition)
    assert result.execution.status == RunStatus.SUCCESS
    assert await outputs(engine, result, "after") == [{"v": "instead"}]


async def test_break_inside_a_branch_stores_the_bundle_and_a_retry_goes_on_after_the_block(
    engine: Engine, clock: ManualClock
) -> None:
    flaky = {**step("call", "probe.flaky"), "on_error": {"directive": "break"}}
    definition = scenario({"id": "check", "if_else": [{"condition": "{{ true }}", "flow": [flaky]}]},
                          setv("after", ok="{{ call.ok }}"))
    record = await engine.save_scenario(definition)
    first = await engine.run(record)
    assert first.execution.status == RunStatus.WARNING
    [incomplete] = await engine.store.list_incomplete("local")
    assert incomplete.step == "call"
    await engine.store.set_state(record.id, "healthy", True)
    retried = await engine.retry_incomplete("local", incomplete.id)
    assert retried is not None and retried.execution.status == RunStatus.SUCCESS
    assert await outputs(engine, retried, "after") == [{"ok": True}]


async def test_a_branch_condition_that_fails_stores_the_bundle_at_the_block(engine: Engine, clock: ManualClock) -> None:
    def definition(a: str) -> dict[str, Any]:
        return scenario({"id": "check", "if_else": [
            {"conditions": [[{"a": a, "o": "number:greater", "b": 1}]], "flow": [setv("big", v=1)]}]},
            setv("after", big="{{ big.v }}"))

    record = await engine.save_scenario(definition("{{ hook.body }}"))
    first = await engine.run(record, {"n": 5})
    assert first.execution.status == RunStatus.INCOMPLETE
    assert first.execution.error is not None
    assert first.execution.error["step"] == "check"
    assert first.execution.error["message"].startswith("flow[0].if_else[0].conditions[0][0] (number:greater)")
    [incomplete] = await engine.store.list_incomplete("local")
    clock.advance(1)
    await engine.save_scenario(definition("{{ hook.body.n }}"), scenario_id=record.id)
    retried = await engine.retry_incomplete("local", incomplete.id)
    assert retried is not None and retried.execution.status == RunStatus.SUCCESS
    assert await outputs(engine, retried, "after") == [{"big": 1}]


async def test_a_saved_block_keeps_its_else(engine: Engine) -> None:
    record = await engine.save_scenario(sizes())
    assert record.definition["flow"][1]["else"] == {"flow": [setv("middle", kind="middle")]}
    assert engine.plan_for(record).blocks["size"].id == "size"


# -- validation --------------------------------------------------------------------------------

def problems(engine: Engine, definition: Any) -> dict[str, str]:
    return {p.path: p.message for p in engine.validate(definition).problems}


def test_a_step_after_the_block_may_read_every_branch(engine: Engine) -> None:
    assert problems(engine, sizes(MERGE)) == {}


def test_ids_are_unique_across_branches(engine: Engine) -> None:
    definition = scenario({"id": "check", "if_else": [{"condition": "{{ true }}", "flow": [setv("x", v=1)]}],
                           "else": {"flow": [setv("x", v=2)]}})
    found = problems(engine, definition)
    assert list(found) == ["flow[0].else.flow[0].id"]
    assert "duplicate id 'x'" in found["flow[0].else.flow[0].id"]


def test_a_branch_cannot_read_another_branch(engine: Engine) -> None:
    definition = scenario({"id": "check", "if_else": [
        {"condition": "{{ true }}", "flow": [setv("one", v=1)]},
        {"condition": "{{ one.v }}", "flow": [setv("two", v="{{ one.v }}")]}]})
    found = problems(engine, definition)
    assert set(found) == {"flow[0].if_else[1].condition", "flow[0].if_else[1].flow[0].params.variables.v"}
    assert "a step that is not before this one" in found["flow[0].if_else[1].condition"]


def test_branch_conditions_are_checked_in_both_forms(engine: Engine) -> None:
    definition = scenario({"id": "check", "if_else": [
        {"conditions": [[{"a": 1, "o": "number:equals", "b": 1}]], "flow": []},
        {"condition": "{{ ghost }}", "flow": []}]})
    found = problems(engine, definition)
    assert set(found) == {"flow[0].if_else[0].conditions[0][0].o", "flow[0].if_else[1].condition"}
    missing = problems(engine, scenario({"id": "check", "if_else": [{"flow": []}]}))
    assert list(missing) == ["flow[0].if_else[0]"]


def test_a_block_needs_a_branch_and_knows_its_fields(engine: Engine) -> None:
    found = problems(engine, scenario({"id": "check", "if_else": [], "otherwise": {"flow": []}}))
    assert found == {"flow[0].if_else": "needs at least 1 branch", "flow[0].otherwise": "unknown field 'otherwise'"}


async def test_an_aggregator_after_the_block_collects_the_bundles_of_every_branch(engine: Engine) -> None:
    definition = sizes(step("all", "flow.array_aggregator", source="items",
                            value="{{ big.kind or small.kind or middle.kind }}"))
    result = await run(engine, definition, [20, 1, 5])
    assert await outputs(engine, result, "all") == [{"array": ["big", "small", "middle"]}]


def test_an_aggregator_after_the_block_cannot_aggregate_a_source_inside_a_branch(engine: Engine) -> None:
    definition = scenario({"id": "check", "if_else": [{"condition": "{{ true }}", "flow": [
        step("parts", "flow.iterator", array="{{ hook.body }}")]}]},
        step("outside", "flow.array_aggregator", source="parts", value="{{ parts.value }}"))
    found = problems(engine, definition)
    assert list(found) == ["flow[1].params.source"]
    assert "inside a branch or route (if_else[0].flow)" in found["flow[1].params.source"]


async def test_an_aggregator_inside_a_branch_collects_the_bundles_that_took_it(engine: Engine) -> None:
    definition = scenario(step("items", "flow.iterator", array="{{ hook.body }}"),
                          {"id": "check", "if_else": [{"condition": "{{ items.value > 1 }}", "flow": [
                              step("big", "flow.array_aggregator", source="items", value="{{ items.value }}")]}]},
                          setv("after", got="{{ big.array }}"))
    result = await run(engine, definition, [1, 2, 3])
    assert await outputs(engine, result, "big") == [{"array": [2, 3]}]
    assert await outputs(engine, result, "after") == [{"got": [2, 3]}]
