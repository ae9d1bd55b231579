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


# -- filters in Make's structured form -----------------------------------------------------

def with_filter(filter_: dict) -> dict:
    return scenario(step("a", "tools.increment"),
                    {**step("b", "tools.set_variables", variables={"x": 1}), "filter": filter_})


def test_structured_filters_are_valid(engine: Engine) -> None:
    definition = with_filter({"label": "big", "conditions": [
        [{"a": "{{ hook.body.n }}", "o": "number:greater", "b": 3}, {"a": "{{ a.value }}", "o": "exist"}],
        [{"a": "{{ hook.body.tag }}", "o": "text:pattern:ci", "b": "^x+$"}],
    ]})
    assert engine.validate(definition).ok, engine.validate(definition).problems


def test_unknown_operator_missing_b_and_bad_regex_are_each_reported(engine: Engine) -> None:
    found = problems(engine, with_filter({"conditions": [
        [{"a": "{{ hook.body.n }}", "o": "number:greater", "b": 1}, {"a": 1, "o": "number:bigger", "b": 2}],
        [{"a": "{{ hook.body.n }}", "o": "text:equal"}, {"a": "x", "o": "text:pattern", "b": "(unclosed"}],
    ]}))
    assert set(found) == {"flow[1].filter.conditions[0][1].o", "flow[1].filter.conditions[1][0].b",
                          "flow[1].filter.conditions[1][1].b"}
    assert found["flow[1].filter.conditions[0][1].o"].startswith("unknown operator 'number:bigger'")
    assert found["flow[1].filter.conditions[1][0].b"] == "required: text:equal compares a with b"
    assert found["flow[1].filter.conditions[1][1].b"].startswith("not a valid regular expression")


def test_condition_sides_are_checked_like_any_expression(engine: Engine) -> None:
    found = problems(engine, with_filter({"conditions": [
        [{"a": "{{ ghost.n }}", "o": "exist"}, {"a": "{{ 1 + }}", "o": "number:equal", "b": "{{ later.x }}"}]]}))
    assert set(found) == {"flow[1].filter.conditions[0][0].a", "flow[1].filter.conditions[0][1].a",
                          "flow[1].filter.conditions[0][1].b"}


@pytest.mark.parametrize("filter_", [
    {"condition": "{{ true }}", "conditions": [[{"a": 1, "o": "exist"}]]},
    {"label": "nothing"},
])
def test_a_filter_has_exactly_one_form(engine: Engine, filter_: dict) -> None:
    found = problems(engine, with_filter(filter_))
    assert list(found) == ["flow[1].filter"]
    assert "either 'condition'" in found["flow[1].filter"]


def test_empty_condition_groups_are_reported(engine: Engine) -> None:
    assert list(problems(engine, with_filter({"conditions": []}))) == ["flow[1].filter.conditions"]
    assert list(problems(engine, with_filter({"conditions": [[]]}))) == ["flow[1].filter"]


def test_route_filters_are_checked_in_both_forms(engine: Engine) -> None:
    found = problems(engine, scenario({"id": "r", "router": [
        {"filter": {"conditions": [[{"a": 1, "o": "nope"}]]}, "flow": []},
        {"filter": {"condition": "{{ ghost }}"}, "flow": []}]}))
    assert set(found) == {"flow[0].router[0].filter.conditions[0][0].o", "flow[0].router[1].filter.condition"}


def test_every_bad_expression_of_a_step_is_reported(engine: Engine) -> None:
    found = problems(engine, scenario(step("a", "tools.set_variables", variables={
        "x": "{{ 1 + }}", "y": "{{ ghost }}", "z": ["{{ ) }}"], "fine": "{{ hook.body }}"})))
    assert set(found) == {"flow[0].params.variables.x", "flow[0].params.variables.y",
                          "flow[0].params.variables.z[0]"}


# -- shape problems in the words of the scenario format --------------------------------------

BASE = {"name": "x", "trigger": {"id": "h", "module": "webhooks.custom"}}


@pytest.mark.parametrize(("change", "path", "message"), [
    ({"name": None}, "name", "expected text, not null"),
    ({"trigger": None}, "trigger", "expected an object, not null"),
    ({"flow": {"a": 1}}, "flow", "expected a list, not an object"),
    ({"flow": ["x"]}, "flow[0]", "expected a step, a router or an if-else block (an object), not text 'x'"),
    ({"flow": [{"id": "a"}]}, "flow[0].module", "required"),
    ({"flow": [{"id": "a", "module": "Http"}]}, "flow[0].module",
     "'Http' is not a module key: app.module, such as http.request"),
    ({"flow": [{"id": "9a", "module": "tools.increment"}]}, "flow[0].id",
     "'9a' is not a valid id: lower-case letters, digits and _, starting with a letter"),
    ({"flow": [{"id": "a", "module": "tools.increment", "on_error": {"directive": "skip"}}]},
     "flow[0].on_error.directive", "unknown directive 'skip'; expected one of ignore, resume, break, commit, rollback"),
    ({"flow": [{"id": "a", "module": "tools.increment", "params": [1]}]}, "flow[0].params",
     "expected an object, not a list"),
    ({"flow": [{"id": "r", "router": [{"fallback": "often"}]}]}, "flow[0].router[0].fallback",
     "expected true or false, not text 'often'"),
    ({"flow": [{"id": "r", "router": []}]}, "flow[0].router", "needs at least 1 route"),
    ({"flow": [{"id": "a", "module": "tools.increment", "filter": {"conditions": [[{"a": 1}]]}}]},
     "flow[0].filter.conditions[0][0].o", "required"),
    ({"schedule": {"type": "daily"}}, "schedule.type",
     "unknown schedule type 'daily'; expected one of immediately, interval, cron, on_demand"),
    ({"schedule": {"every": 5}}, "schedule.type",
     "required: the schedule type, one of immediately, interval, cron, on_demand"),
    ({"schedule": {"type": "interval", "minutes": "often"}}, "schedule.minutes",
     "expected a whole number, not text 'often'"),
    ({"schedule": {"type": "interval", "minutes": 0}}, "schedule.minutes", "must be at least 1"),
    ({"schedule": {"type": "interval", "minutes": 1.5}}, "schedule.minutes",
     "expected a whole number, not the number 1.5"),
    ({"settings": {"timeout_seconds": 0}}, "settings.timeout_seconds", "must be greater than 0"),
    ({"settings": {"max_cycles": 10001}}, "settings.max_cycles", "must be at most 10000"),
    ({"settings": {"sequentiel": True}}, "settings.sequentiel", "unknown field 'sequentiel' (did you mean "
                                                               "'sequential'?)"),
    ({"name": "x" * 201}, "name", "must be at most 200 characters long"),
    ({"colour": "red"}, "colour", "unknown field 'colour'"),
])
def test_shape_problems_are_worded_plainly(engine: Engine, change: dict, path: str, message: str) -> None:
    assert problems(engine, {**BASE, **change}) == {path: message}
