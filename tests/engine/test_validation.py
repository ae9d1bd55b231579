"""Every problem of a scenario definition, each with its path."""

from __future__ import annotations

from typing import Any

import pytest

from scenarist.engine.service import Engine, InvalidScenario
from tests.engine.conftest import scenario, step


def problems(engine: Engine, definition: Any) -> dict[str, str]:
    return {p.path: p.message for p in engine.validate(definition).problems}


def test_a_valid_scenario_has_no_problems(engine: Engine) -> None:
    definition = scenario(
        step("shape", "tools.set_variables", variables={"x": "{{ hook.body.x }}"}),
        {"id": "split", "router": [
            {"filter": {"condition": "{{ shape.x > 1 }}"}, "flow": [step("a", "json.create", value="{{ shape }}")]},
            {"fallback": True, "flow": []},
        ]},
    )
    assert engine.validate(definition).ok


def test_unknown_module_is_reported_at_its_path(engine: Engine) -> None:
    found = problems(engine, scenario(step("a", "tools.set_variables", variables={}), step("b", "nope.nothing")))
    assert found == {"flow[1].module": "unknown module 'nope.nothing'"}


def test_duplicate_ids_are_reported(engine: Engine) -> None:
    found = problems(engine, scenario(step("hook", "tools.set_variables", variables={})))
    assert "flow[0].id" in found
    assert "duplicate id 'hook'" in found["flow[0].id"]


def test_reference_to_an_unknown_step_is_reported(engine: Engine) -> None:
    found = problems(engine, scenario(step("a", "tools.set_variables", variables={"x": "{{ ghost.value }}"})))
    assert found == {"flow[0].params.variables.x": "the expression reads 'ghost', no step before this one"}


def test_reference_to_a_later_step_is_reported(engine: Engine) -> None:
    found = problems(engine, scenario(
        step("a", "tools.set_variables", variables={"x": "{{ b.x }}"}),
        step("b", "tools.set_variables", variables={"x": 1}),
    ))
    assert "a step that is not before this one" in found["flow[0].params.variables.x"]


def test_expression_syntax_error_is_reported_inside_params(engine: Engine) -> None:
    found = problems(engine, scenario(step("a", "tools.set_variables", variables={"x": "{{ 1 + }}"})))
    assert list(found) == ["flow[0].params.variables.x"]


def test_missing_and_unknown_params_are_reported(engine: Engine) -> None:
    found = problems(engine, scenario(step("a", "http.request", methd="GET")))
    assert found["flow[0].params.methd"] == "unknown parameter"
    assert found["flow[0].params.url"] == "required"


def test_constant_params_are_type_checked(engine: Engine) -> None:
    found = problems(engine, scenario(step("a", "tools.sleep", seconds="soon")))
    assert list(found) == ["flow[0].params.seconds"]


def test_params_given_as_expressions_are_checked_at_run_time(engine: Engine) -> None:
    assert engine.validate(scenario(step("a", "tools.sleep", seconds="{{ hook.body.s }}"))).ok


def test_bad_cron_and_time_zone_are_reported(engine: Engine) -> None:
    definition = scenario()
    definition["schedule"] = {"type": "cron", "expression": "61 * * * *", "timezone": "Mars/Olympus"}
    found = problems(engine, definition)
    assert set(found) == {"schedule.expression", "schedule.timezone"}


def test_router_without_routes_is_reported(engine: Engine) -> None:
    found = problems(engine, scenario({"id": "r", "router": []}))
    assert list(found) == ["flow[0].router"]


def test_steps_after_a_router_are_reported(engine: Engine) -> None:
    found = problems(engine, scenario({"id": "r", "router": [{"flow": []}]}, step("x", "tools.increment")))
    assert list(found) == ["flow[0]"]


def test_nested_paths_reach_into_routes_and_handlers(engine: Engine) -> None:
    bad = step("deep", "tools.sleep")
    bad["on_error"] = {"directive": "ignore", "flow": [step("h", "nope.nope")]}
    found = problems(engine, scenario({"id": "r", "router": [{"flow": [], "fallback": True},
                                                                {"flow": [bad]}]}))
    assert found == {
        "flow[0].router[1].flow[0].params.seconds": "required",
        "flow[0].router[1].flow[0].on_error.flow[0].module": "unknown module 'nope.nope'",
    }


def test_error_is_readable_in_handlers_only(engine: Engine) -> None:
    good = step("a", "probe.fail")
    good["on_error"] = {"directive": "resume", "output": {"t": "{{ error.type }}"}}
    assert engine.validate(scenario(good)).ok
    found = problems(engine, scenario(step("b", "tools.set_variables", variables={"t": "{{ error.type }}"})))
    assert list(found) == ["flow[0].params.variables.t"]


def test_aggregator_source_must_be_a_step_before_it(engine: Engine) -> None:
    found = problems(engine, scenario(step("agg", "flow.array_aggregator", source="nowhere")))
    assert list(found) == ["flow[0].params.source"]


def test_trigger_module_inside_the_flow_is_reported(engine: Engine) -> None:
    found = problems(engine, scenario(step("again", "webhooks.custom")))
    assert list(found) == ["flow[0].module"]


def test_immediately_needs_an_instant_trigger(engine: Engine) -> None:
    definition = scenario(trigger={"id": "t", "module": "tools.increment"})
    definition["schedule"] = {"type": "immediately"}
    assert list(problems(engine, definition)) == ["schedule.type"]


@pytest.mark.parametrize(("definition", "path"), [
    ({"trigger": {"id": "h", "module": "webhooks.custom"}}, "name"),
    ({"name": "x", "trigger": {"id": "Bad-Id", "module": "webhooks.custom"}}, "trigger.id"),
    ({"name": "x", "trigger": {"id": "h", "module": "webhooks.custom"}, "flow": [{"id": "a"}]}, "flow[0].module"),
    ({"name": "x", "trigger": {"id": "h", "module": "webhooks.custom"}, "settings": {"confidental": True}},
     "settings.confidental"),
    ({"name": "x", "trigger": {"id": "h", "module": "webhooks.custom"}, "schedule": {"type": "weekly"}},
     "schedule"),
])
def test_shape_errors_name_their_path(engine: Engine, definition: dict, path: str) -> None:
    found = problems(engine, definition)
    assert any(p == path or p.startswith(path + ".") for p in found), found


def test_not_an_object_is_a_problem(engine: Engine) -> None:
    assert not engine.validate(["a list"]).ok


async def test_saving_an_invalid_scenario_raises_with_every_problem(engine: Engine) -> None:
    with pytest.raises(InvalidScenario) as caught:
        await engine.save_scenario(scenario(step("a", "nope.x"), step("a", "tools.increment")))
    assert {p.path for p in caught.value.problems} == {"flow[0].module", "flow[1].id"}
