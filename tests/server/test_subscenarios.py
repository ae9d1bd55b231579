"""Sub-scenarios: ``scenarios.run`` runs another scenario of the account and waits for its output."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from scenarist.engine import executor
from tests.server.conftest import register

API = "/api/v1"


def child(name: str = "Double it", flow: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "trigger": {"id": "start", "module": "webhooks.custom"},
        "flow": flow if flow is not None else [
            {"id": "calc", "module": "tools.set_variables",
             "params": {"variables": {"doubled": "{{ start.body.n * 2 }}"}}},
            {"id": "out", "module": "scenarios.return_output", "params": {"output": {"n": "{{ calc.doubled }}"}}},
        ],
        "settings": {"store_incomplete": False},
    }


def parent(target: str, *, input_: Any = None, handler: dict[str, Any] | None = None) -> dict[str, Any]:
    call: dict[str, Any] = {"id": "call", "module": "scenarios.run",
                            "params": {"scenario_id": target, "input": input_ or {"n": "{{ hook.body.n }}"}}}
    if handler is not None:
        call["on_error"] = handler
    return {
        "name": "Caller",
        "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [call, {"id": "answer", "module": "webhooks.respond",
                        "params": {"body": {"got": "{{ call.output.n }}", "status": "{{ call.status }}"}}}],
        "settings": {"store_incomplete": False},
    }


async def create(client: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any]) -> str:
    answer = await client.post(f"{API}/scenarios", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    scenario_id: str = answer.json()["id"]
    return scenario_id


async def run(client: httpx.AsyncClient, auth: dict[str, str], scenario_id: str, input_: Any) -> dict[str, Any]:
    answer = await client.post(f"{API}/scenarios/{scenario_id}/run?wait=true", json={"input": input_}, headers=auth)
    assert answer.status_code == 200, answer.text
    execution: dict[str, Any] = answer.json()
    return execution


async def executions(client: httpx.AsyncClient, auth: dict[str, str], scenario_id: str) -> list[dict[str, Any]]:
    answer = await client.get(f"{API}/scenarios/{scenario_id}/executions", headers=auth)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


async def test_the_caller_gets_the_called_scenarios_output(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    callee = await create(client, auth, child())
    caller = await create(client, auth, parent(callee))
    execution = await run(client, auth, caller, {"n": 21})
    assert execution["status"] == "success", execution
    assert execution["response"]["body"] == {"got": 42, "status": "success"}
    called = await executions(client, auth, callee)
    assert [e["status"] for e in called] == ["success"]
    call_log = next(entry for entry in execution["log"] if entry["step"] == "call")
    assert call_log["output"]["execution_id"] == called[0]["id"]
    # the called run is recorded as its own execution, with its own log
    detail = (await client.get(f"{API}/executions/{called[0]['id']}", headers=auth)).json()
    assert [entry["step"] for entry in detail["log"]] == ["start", "calc", "out"]


async def test_a_called_scenario_that_answers_nothing_outputs_null(client: httpx.AsyncClient,
                                                                  auth: dict[str, str]) -> None:
    callee = await create(client, auth, child(flow=[
        {"id": "calc", "module": "tools.set_variables", "params": {"variables": {"x": 1}}},
    ]))
    caller = await create(client, auth, parent(callee))
    execution = await run(client, auth, caller, {"n": 1})
    call_log = next(entry for entry in execution["log"] if entry["step"] == "call")
    assert call_log["output"]["output"] is None
    assert call_log["output"]["status"] == "success"


async def test_the_called_scenarios_error_fails_the_calling_step_with_its_type(client: httpx.AsyncClient,
                                                                            auth: dict[str, str]) -> None:
    callee = await create(client, auth, child(flow=[
        {"id": "parse", "module": "json.parse", "params": {"json": "{{ start.body.text }}"}},
    ]))
    caller = await create(client, auth, parent(callee))
    execution = await run(client, auth, caller, {"text": "{not json"})
    assert execution["status"] == "error"
    assert execution["error"]["type"] == "DataError"
    assert execution["error"]["step"] == "call"
    called = await executions(client, auth, callee)
    assert [e["status"] for e in called] == ["error"]
    assert called[0]["id"] in execution["error"]["message"]


async def test_the_callers_error_handler_takes_a_called_scenarios_error(client: httpx.AsyncClient,
                                                                       auth: dict[str, str]) -> None:
    callee = await create(client, auth, child(flow=[
        {"id": "parse", "module": "json.parse", "params": {"json": "{not json"}},
    ]))
    caller = await create(client, auth, parent(callee, handler={"directive": "resume", "output": {"output": {"n": 0},
                                                                                               "status": "error"}}))
    execution = await run(client, auth, caller, {"n": 5})
    assert execution["status"] == "success"
    assert execution["response"]["body"] == {"got": 0, "status": "error"}


async def test_a_scenario_calling_itself_stops_at_the_nesting_limit(client: httpx.AsyncClient,
                                                                    auth: dict[str, str]) -> None:
    looping = await create(client, auth, child(name="Loop", flow=[]))
    replaced = await client.put(f"{API}/scenarios/{looping}", headers=auth, json=child(name="Loop", flow=[
        {"id": "again", "module": "scenarios.run", "params": {"scenario_id": looping, "input": {}}},
    ]))
    assert replaced.status_code == 200, replaced.text
    execution = await run(client, auth, looping, {})
    assert execution["status"] == "error"
    assert execution["error"]["type"] == "InvalidConfigurationError"
    assert "nest deeper than 8" in execution["error"]["message"]
    assert len(await executions(client, auth, looping)) == 9  # the first run and eight nested ones


async def test_an_unknown_or_foreign_scenario_is_refused_at_save_with_its_path(client: httpx.AsyncClient,
                                                                              auth: dict[str, str]) -> None:
    other = await register(client, "grace@example.com")
    foreign = await create(client, other, child())
    for target in (foreign, "0000000000000000000000000a"):
        answer = await client.post(f"{API}/scenarios", json=parent(target), headers=auth)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["path"] == "flow[0].params.scenario_id"
    assert await executions(client, other, foreign) == []


async def test_a_scenario_id_from_an_expression_is_checked_at_run_time(client: httpx.AsyncClient,
                                                                       auth: dict[str, str]) -> None:
    other = await register(client, "grace@example.com")
    foreign = await create(client, other, child())
    caller = await create(client, auth, parent("{{ hook.body.target }}", input_={"n": 1}))
    execution = await run(client, auth, caller, {"target": foreign})
    assert execution["status"] == "error"
    assert execution["error"] == {"type": "InvalidConfigurationError", "step": "call",
                                  "message": f"scenario {foreign!r} not found"}
    assert await executions(client, other, foreign) == []


async def test_a_called_run_cut_short_with_its_caller_is_stored_cancelled(client: httpx.AsyncClient,
                                                                          auth: dict[str, str]) -> None:
    callee = await create(client, auth, child(name="Slow", flow=[
        {"id": "wait", "module": "tools.sleep", "params": {"seconds": 5}},
    ]))
    definition = parent(callee)
    definition["settings"]["timeout_seconds"] = 0.3
    caller = await create(client, auth, definition)
    execution = await run(client, auth, caller, {"n": 1})
    assert execution["status"] == "warning"
    assert execution["error"]["type"] == "ModuleTimeoutError"
    [called] = await executions(client, auth, callee)
    assert called["status"] == "cancelled"
    assert called["finished_at"] is not None


async def test_one_run_starts_a_bounded_number_of_called_runs(client: httpx.AsyncClient, auth: dict[str, str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor, "MAX_SUBSCENARIO_RUNS", 5)
    callee = await create(client, auth, child())
    fan_out = {
        "name": "Fan out",
        "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [
            {"id": "items", "module": "flow.iterator", "params": {"array": "{{ hook.body }}"}},
            {"id": "call", "module": "scenarios.run", "params": {"scenario_id": callee, "input": {"n": 1}},
             "on_error": {"directive": "ignore"}},
        ],
        "settings": {"store_incomplete": False},
    }
    caller = await create(client, auth, fan_out)
    execution = await run(client, auth, caller, list(range(8)))
    assert execution["status"] == "success"
    errors = [e["error"]["message"] for e in execution["log"] if e["step"] == "call" and e["status"] == "error"]
    assert len(errors) == 3 and "as many sub-scenario runs as one run may (5)" in errors[0]
    assert len(await executions(client, auth, callee)) == 5
