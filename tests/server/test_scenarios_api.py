"""Scenarios through the REST API: CRUD, activation, manual runs, executions."""

from __future__ import annotations

from typing import Any

import httpx

API = "/api/v1"


def definition(**settings: Any) -> dict[str, Any]:
    return {
        "name": "Shape and answer",
        "trigger": {"id": "hook", "module": "webhooks.custom"},
        "schedule": {"type": "immediately"},
        "flow": [
            {"id": "shape", "module": "tools.set_variables",
             "params": {"variables": {"name": "{{ hook.body.name | upper }}"}}},
            {"id": "answer", "module": "webhooks.respond", "params": {"body": "{{ shape }}"}},
        ],
        "settings": settings,
    }


async def create(client: httpx.AsyncClient, auth: dict[str, str], body: Any = None) -> dict[str, Any]:
    answer = await client.post(f"{API}/scenarios", json=body or definition(), headers=auth)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_create_returns_the_scenario_inactive_with_a_webhook_url(client: httpx.AsyncClient,
                                                                       auth: dict[str, str]) -> None:
    created = await create(client, auth)
    assert created["active"] is False
    assert created["name"] == "Shape and answer"
    assert created["webhook_url"].startswith("http://127.0.0.1:8000/hooks/")
    assert len(created["webhook_url"].rsplit("/", 1)[1]) >= 22  # ≥128 bits
    assert created["definition"]["flow"][0]["id"] == "shape"


async def test_invalid_definition_is_422_with_the_path(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    bad = definition()
    bad["flow"][0]["params"] = {"variables": {"x": "{{ ghost.y }}"}}
    answer = await client.post(f"{API}/scenarios", json=bad, headers=auth)
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == "flow[0].params.variables.x"


async def test_shape_problems_are_422_in_the_words_of_the_scenario_format(client: httpx.AsyncClient,
                                                                          auth: dict[str, str]) -> None:
    bad = definition()
    bad["schedule"] = {"type": "daily"}
    answer = await client.post(f"{API}/scenarios", json=bad, headers=auth)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["path"] == "schedule.type"
    assert error["message"] == ("schedule.type: unknown schedule type 'daily'; expected one of immediately, "
                                "interval, cron, on_demand")


async def test_a_bad_filter_operator_is_422_with_its_path(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    bad = definition()
    bad["flow"][1]["filter"] = {"conditions": [[{"a": "{{ shape.name }}", "o": "text:is", "b": "ADA"}]]}
    answer = await client.post(f"{API}/scenarios", json=bad, headers=auth)
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == "flow[1].filter.conditions[0][0].o"


async def test_list_get_replace_delete(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    created = await create(client, auth)
    sid = created["id"]
    assert [s["id"] for s in (await client.get(f"{API}/scenarios", headers=auth)).json()] == [sid]
    changed = definition()
    changed["name"] = "Renamed"
    replaced = await client.put(f"{API}/scenarios/{sid}", json=changed, headers=auth)
    assert replaced.status_code == 200
    assert replaced.json()["name"] == "Renamed"
    assert replaced.json()["webhook_url"] == created["webhook_url"]
    assert (await client.get(f"{API}/scenarios/{sid}", headers=auth)).json()["name"] == "Renamed"
    assert (await client.delete(f"{API}/scenarios/{sid}", headers=auth)).status_code == 204
    assert (await client.get(f"{API}/scenarios/{sid}", headers=auth)).status_code == 404


async def test_activate_and_deactivate(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    sid = (await create(client, auth))["id"]
    answer = await client.post(f"{API}/scenarios/{sid}/activate", headers=auth)
    assert answer.json() == {"id": sid, "active": True}
    answer = await client.post(f"{API}/scenarios/{sid}/deactivate", headers=auth)
    assert answer.json() == {"id": sid, "active": False}


async def test_run_with_wait_answers_the_finished_execution(client: httpx.AsyncClient,
                                                             auth: dict[str, str]) -> None:
    sid = (await create(client, auth))["id"]
    answer = await client.post(f"{API}/scenarios/{sid}/run?wait=true", json={"input": {"name": "ada"}},
                               headers=auth)
    assert answer.status_code == 200, answer.text
    execution = answer.json()
    assert execution["status"] == "success"
    assert execution["operations"] == 3
    assert execution["response"]["body"] == {"name": "ADA"}
    assert [entry["step"] for entry in execution["log"]] == ["hook", "shape", "answer"]


async def test_run_without_wait_is_202_and_the_execution_finishes(client: httpx.AsyncClient,
                                                                   auth: dict[str, str]) -> None:
    sid = (await create(client, auth))["id"]
    answer = await client.post(f"{API}/scenarios/{sid}/run", json={"input": {"name": "x"}}, headers=auth)
    assert answer.status_code == 202
    execution_id = answer.json()["execution_id"]
    for _ in range(100):
        detail = (await client.get(f"{API}/executions/{execution_id}", headers=auth)).json()
        if detail["status"] not in ("queued", "running"):
            break
        await __import__("asyncio").sleep(0.02)
    assert detail["status"] == "success"


async def test_executions_list_pages_newest_first(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    sid = (await create(client, auth))["id"]
    ids = []
    for n in range(3):
        done = await client.post(f"{API}/scenarios/{sid}/run?wait=true", json={"input": {"name": str(n)}},
                                 headers=auth)
        ids.append(done.json()["id"])
    listed = (await client.get(f"{API}/scenarios/{sid}/executions?limit=2", headers=auth)).json()
    assert [e["id"] for e in listed] == [ids[2], ids[1]]
    assert set(listed[0]) >= {"id", "status", "started_at", "finished_at", "operations"}
    rest = (await client.get(f"{API}/scenarios/{sid}/executions?before={ids[1]}", headers=auth)).json()
    assert [e["id"] for e in rest] == [ids[0]]
    failed = (await client.get(f"{API}/scenarios/{sid}/executions?status=error", headers=auth)).json()
    assert failed == []


async def test_bad_query_values_are_422(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    sid = (await create(client, auth))["id"]
    for query in ("limit=0", "limit=10001", "status=bogus", "limit=abc"):
        answer = await client.get(f"{API}/scenarios/{sid}/executions?{query}", headers=auth)
        assert answer.status_code == 422, query
        assert "error" in answer.json()


async def test_unknown_scenario_is_404_everywhere(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    for method, path in (("GET", "/scenarios/nope"), ("PUT", "/scenarios/nope"), ("DELETE", "/scenarios/nope"),
                         ("POST", "/scenarios/nope/activate"), ("POST", "/scenarios/nope/run"),
                         ("GET", "/scenarios/nope/executions"), ("GET", "/executions/nope")):
        body = definition() if method == "PUT" else None
        answer = await client.request(method, f"{API}{path}", json=body, headers=auth)
        assert answer.status_code == 404, (method, path)
        assert answer.json()["error"]["code"] == "not_found"


async def test_requests_without_authentication_are_401(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"{API}/scenarios")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"


async def test_apps_catalogue_has_params_schema(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    catalogue = (await client.get(f"{API}/apps", headers=auth)).json()
    modules = {m["key"]: m for app in catalogue for m in app["modules"]}
    assert modules["http.request"]["params"]["properties"]["url"]["type"] == "string"
    assert "flow.iterator" in modules


async def test_modules_declare_their_output_where_they_can(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    catalogue = (await client.get(f"{API}/apps", headers=auth)).json()
    modules = {m["key"]: m for app in catalogue for m in app["modules"]}
    assert set(modules["webhooks.custom"]["output"]["properties"]) == {"method", "headers", "query", "body"}
    assert set(modules["flow.iterator"]["output"]["properties"]) == {"value", "index", "total"}
    assert set(modules["http.request"]["output"]["properties"]) == {"status", "headers", "body"}
    assert modules["tools.set_variables"]["output"] is None  # its output is what its params build


async def test_healthz_and_metrics(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    assert (await client.get(f"{API}/healthz")).json()["status"] == "ok"
    sid = (await create(client, auth))["id"]
    await client.post(f"{API}/scenarios/{sid}/run?wait=true", json={"input": {"name": "m"}}, headers=auth)
    text = (await client.get(f"{API}/metrics")).text
    assert 'scenarist_runs_total{status="success"} 1.0' in text


async def test_the_editor_ui_object_is_kept_and_ignored_by_the_engine(client: httpx.AsyncClient,
                                                                      auth: dict[str, str]) -> None:
    layout = {"nodes": {"hook": {"x": 10, "y": 20}, "shape": {"x": 200, "y": 20}}, "notes": ["check the sink"]}
    created = await create(client, auth, definition() | {"ui": layout})
    assert created["definition"]["ui"] == layout
    fetched = (await client.get(f"{API}/scenarios/{created['id']}", headers=auth)).json()
    assert fetched["definition"]["ui"] == layout
    run = await client.post(f"{API}/scenarios/{created['id']}/run?wait=true", json={"input": {"name": "x"}},
                            headers=auth)
    assert run.json()["status"] == "success"


async def test_a_ui_that_is_not_an_object_is_422_at_ui(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/scenarios", json=definition() | {"ui": [1, 2]}, headers=auth)
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == "ui"
