"""``GET /scenarios/{id}/next-execution``: one event when the scenario's next execution is stored ("Run once"
waiting for a webhook), against a real server process."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.serve_process import ServeProcess, live_server

API = "/api/v1"


def hook_scenario() -> dict[str, Any]:
    return {
        "name": "Waits for a hook", "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [{"id": "shape", "module": "tools.set_variables",
                  "params": {"variables": {"name": "{{ hook.body.name }}"}}}],
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    with live_server(tmp_path_factory.mktemp("next")) as running:
        yield running


def auth(server: ServeProcess, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token(email)}"}


def create(http: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    created = http.post(f"{API}/scenarios", json=hook_scenario(), headers=headers)
    assert created.status_code == 201, created.text
    scenario: dict[str, Any] = created.json()
    return scenario


def first_event(http: httpx.Client, path: str, headers: dict[str, str], act: Any) -> tuple[str, Any]:
    """Open the stream, do ``act`` once it is open (the first comment came), return the first event."""
    kind = ""
    with http.stream("GET", path, headers=headers) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith(": waiting"):
                threading.Thread(target=act).start()
            elif line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind:
                return kind, json.loads(line.removeprefix("data: "))
    raise AssertionError("the stream ended without an event")


def finished(http: httpx.Client, headers: dict[str, str], execution_id: str) -> dict[str, Any]:
    with http.stream("GET", f"{API}/executions/{execution_id}/events", headers=headers) as stream:
        for _ in stream.iter_lines():
            pass
    execution: dict[str, Any] = http.get(f"{API}/executions/{execution_id}", headers=headers).json()
    return execution


def test_a_webhook_request_to_an_inactive_scenario_is_announced_and_run(server: ServeProcess) -> None:
    headers = auth(server, "hook@example.com")
    with server.client() as http:
        scenario = create(http, headers)
        assert scenario["active"] is False
        answers: list[httpx.Response] = []

        def call() -> None:
            answers.append(httpx.post(scenario["webhook_url"], json={"name": "Ada"}, timeout=10))

        kind, data = first_event(http, f"{API}/scenarios/{scenario['id']}/next-execution", headers, call)
        assert kind == "execution"
        execution = finished(http, headers, data["execution_id"])
        assert execution["status"] == "success"
        assert execution["log"][0]["output"]["body"] == {"name": "Ada"}
        assert execution["log"][1]["output"] == {"name": "Ada"}
        assert answers and answers[0].status_code == 200


def test_a_manual_run_is_announced(server: ServeProcess) -> None:
    headers = auth(server, "manual@example.com")
    with server.client() as http:
        scenario = create(http, headers)
        started: list[str] = []

        def run() -> None:
            answer = httpx.post(f"{server.url}{API}/scenarios/{scenario['id']}/run", json={"input": {"name": "Bo"}},
                                headers=headers, timeout=10)
            started.append(answer.json()["execution_id"])

        kind, data = first_event(http, f"{API}/scenarios/{scenario['id']}/next-execution", headers, run)
        assert kind == "execution"
        assert finished(http, headers, data["execution_id"])["status"] == "success"
        assert started == [data["execution_id"]]


def test_only_the_watched_scenarios_execution_is_announced(server: ServeProcess) -> None:
    headers = auth(server, "two@example.com")
    with server.client() as http:
        watched, other = create(http, headers), create(http, headers)

        def both() -> None:
            httpx.post(other["webhook_url"], json={"name": "other"}, timeout=10)
            httpx.post(watched["webhook_url"], json={"name": "watched"}, timeout=10)

        _, data = first_event(http, f"{API}/scenarios/{watched['id']}/next-execution", headers, both)
        execution = finished(http, headers, data["execution_id"])
        assert execution["scenario_id"] == watched["id"]
        assert execution["log"][0]["output"]["body"] == {"name": "watched"}


def test_another_accounts_scenario_is_not_found(server: ServeProcess) -> None:
    owner, stranger = auth(server, "owner@example.com"), auth(server, "stranger@example.com")
    with server.client() as http:
        scenario = create(http, owner)
        answer = http.get(f"{API}/scenarios/{scenario['id']}/next-execution", headers=stranger)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
        assert http.get(f"{API}/scenarios/no-such-scenario/next-execution", headers=owner).status_code == 404

