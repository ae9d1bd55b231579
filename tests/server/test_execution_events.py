"""``GET /executions/{id}/events``: each operation as it is recorded, then the final status (server-sent events)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.serve_process import ServeProcess, live_server

API = "/api/v1"


def slow_scenario(**settings: Any) -> dict[str, Any]:
    """Four items (as started here), each waiting 0.4 s: the run lasts over 1.5 s."""
    return {
        "name": "Slow", "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [
            {"id": "items", "module": "flow.iterator", "params": {"array": "{{ hook.body.items }}"}},
            {"id": "wait", "module": "tools.sleep", "params": {"seconds": 0.4}},
        ],
        "settings": settings,
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    with live_server(tmp_path_factory.mktemp("events")) as running:
        yield running


def auth(server: ServeProcess, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token(email)}"}


def start(http: httpx.Client, headers: dict[str, str], **settings: Any) -> str:
    created = http.post(f"{API}/scenarios", json=slow_scenario(**settings), headers=headers)
    assert created.status_code == 201, created.text
    run = http.post(f"{API}/scenarios/{created.json()['id']}/run", json={"input": {"items": [1, 2, 3, 4]}},
                    headers=headers)
    assert run.status_code == 202, run.text
    execution_id: str = run.json()["execution_id"]
    return execution_id


def events(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    kind, data = "", ""
    for line in lines:
        if line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif line == "" and kind:
            yield kind, json.loads(data)
            kind, data = "", ""


def test_operations_stream_while_the_run_goes_on_then_the_status(server: ServeProcess) -> None:
    headers = auth(server, "live@example.com")
    with server.client() as http:
        execution_id = start(http, headers)
        received: list[tuple[str, Any]] = []
        status_when_first_wait = None
        with http.stream("GET", f"{API}/executions/{execution_id}/events", headers=headers) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            for kind, data in events(stream.iter_lines()):
                received.append((kind, data))
                if kind == "operation" and data["step"] == "wait" and status_when_first_wait is None:
                    status_when_first_wait = http.get(f"{API}/executions/{execution_id}", headers=headers).json()
        assert status_when_first_wait is not None
        assert status_when_first_wait["status"] == "running"  # the first operations came while it ran
        kinds = [kind for kind, _ in received]
        assert kinds == ["operation"] * (len(kinds) - 1) + ["status"]
        steps = [(data["step"], data["bundle"]) for kind, data in received if kind == "operation"]
        assert [s for s in steps if s[0] == "wait"] == [("wait", 0), ("wait", 1), ("wait", 2), ("wait", 3)]
        final = received[-1][1]
        assert final["status"] == "success" and final["id"] == execution_id and "log" not in final
        stored = http.get(f"{API}/executions/{execution_id}", headers=headers).json()
        assert [data for kind, data in received if kind == "operation"] == stored["log"]
        assert len(status_when_first_wait["log"]) < len(stored["log"])


def test_a_stream_opened_after_the_run_replays_it(server: ServeProcess) -> None:
    headers = auth(server, "late@example.com")
    with server.client() as http:
        created = http.post(f"{API}/scenarios", json=slow_scenario(), headers=headers).json()
        done = http.post(f"{API}/scenarios/{created['id']}/run?wait=true", json={"input": {"items": [1]}},
                         headers=headers).json()
        with http.stream("GET", f"{API}/executions/{done['id']}/events", headers=headers) as stream:
            received = list(events(stream.iter_lines()))
    assert [kind for kind, _ in received] == ["operation"] * len(done["log"]) + ["status"]
    assert received[-1][1]["operations"] == done["operations"]


def test_a_confidential_run_streams_no_data(server: ServeProcess) -> None:
    headers = auth(server, "secret@example.com")
    with server.client() as http:
        execution_id = start(http, headers, confidential=True)
        with http.stream("GET", f"{API}/executions/{execution_id}/events", headers=headers) as stream:
            received = list(events(stream.iter_lines()))
    operations = [data for kind, data in received if kind == "operation"]
    assert operations and all("input" not in op or op["input"] is None for op in operations)
    assert all("output" not in op or op["output"] is None for op in operations)
    assert received[-1][1]["confidential"] is True


def test_another_accounts_execution_is_not_found(server: ServeProcess) -> None:
    owner, stranger = auth(server, "owner@example.com"), auth(server, "stranger@example.com")
    with server.client() as http:
        execution_id = start(http, owner)
        answer = http.get(f"{API}/executions/{execution_id}/events", headers=stranger)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
        assert http.get(f"{API}/executions/no-such-run/events", headers=owner).status_code == 404
