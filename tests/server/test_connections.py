"""Connections through the API: create, list, test, delete, use in runs (contract sections 3, 5, 7).

A canary secret goes into a connection and must come out only on the wire to
the service it is for: never in an API answer, the access log, an error
message, nor the SQLite file.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

from scenarist.sdk import App, AuthenticationError, ConnectionError, ConnectionType, ModuleSpec, RunContext
from tests.server.conftest import register, running

API = "/api/v1"
CANARY = "tok-CANARY-9d27f1-never-leaks"
ADA, BOB = "ada@example.com", "bob@example.com"
LOOPBACK = "127.0.0.0/8,::1"


# -- a probe app: a connection type with a test, and a module that takes only it


class ProbeFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_key: str
    region: str = "eu"


async def probe_test(fields: Any, egress: Any = None) -> str:
    if fields["api_key"].startswith("revoked"):
        raise AuthenticationError("the service refused the key")
    if fields["api_key"].startswith("unreachable"):
        raise ConnectionError(f"could not reach the service with key {fields['api_key']}")
    return f"hello from {fields['region']}"


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


async def probe_echo(ctx: RunContext, params: NoParams) -> dict[str, Any]:
    assert ctx.connection is not None
    if ctx.connection["fields"]["api_key"].startswith("revoked"):
        raise AuthenticationError("the service refused the key")
    return {"type": ctx.connection["type"], "region": ctx.connection["fields"]["region"]}


PROBE = App(
    key="probe",
    label="Probe",
    modules=(ModuleSpec("echo", "Echo", "Says which connection it got.", NoParams, probe_echo,
                        connection_types=("probe.key",), connection_required=True),),
    connection_types=(ConnectionType("probe.key", "Probe key", ProbeFields, ("api_key",), probe_test),),
)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running(tmp_path, egress_allow=LOOPBACK) as (app, client):
        app.state.runtime.registry.add(PROBE)
        yield app, client


@pytest.fixture
def client(api: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return api[1]


class Sink:
    """A tiny HTTP service on 127.0.0.1 that records the Authorization header it got."""

    def __init__(self) -> None:
        self.authorizations: list[str | None] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                sink.authorizations.append(self.headers.get("Authorization"))
                body = json.dumps({"ok": True}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/data"


@pytest.fixture
def sink() -> Iterator[Sink]:
    server = Sink()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


# -- helpers


async def create(client: httpx.AsyncClient, auth: dict[str, str], type_: str = "http.bearer",
                 fields: dict[str, Any] | None = None, name: str = "Billing API") -> str:
    body = {"type": type_, "name": name, "fields": fields if fields is not None else {"token": CANARY}}
    answer = await client.post(f"{API}/connections", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    assert CANARY not in answer.text
    connection_id: str = answer.json()["id"]
    return connection_id


def calling(url: str, connection: str, module: str = "http.request") -> dict[str, Any]:
    params: dict[str, Any] = {"method": "GET", "url": url} if module == "http.request" else {}
    return {
        "name": "Calls with a connection",
        "trigger": {"id": "start", "module": "webhooks.custom"},
        "schedule": {"type": "on_demand"},
        "flow": [{"id": "call", "module": module, "params": params, "connection": connection}],
    }


async def run(client: httpx.AsyncClient, auth: dict[str, str], scenario_id: str) -> dict[str, Any]:
    answer = await client.post(f"{API}/scenarios/{scenario_id}/run?wait=true", json={"input": {}}, headers=auth)
    assert answer.status_code == 200, answer.text
    execution: dict[str, Any] = answer.json()
    return execution


async def listed(client: httpx.AsyncClient, auth: dict[str, str]) -> list[dict[str, Any]]:
    answer = await client.get(f"{API}/connections", headers=auth)
    assert answer.status_code == 200
    assert CANARY not in answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "scenarist.db"


def file_bytes(db: Path) -> bytes:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


def sealed_secrets(db: Path, connection_id: str) -> bytes | None:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        row = conn.execute("SELECT secrets FROM connections WHERE id = ?", (connection_id,)).fetchone()
    return None if row is None else bytes(row[0])


# -- create and list


async def test_create_answers_id_type_and_name(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    answer = await client.post(f"{API}/connections", headers=auth,
                               json={"type": "http.bearer", "name": "Billing", "fields": {"token": CANARY}})
    assert answer.status_code == 201
    assert set(answer.json()) == {"id", "type", "name"}
    assert answer.json()["type"] == "http.bearer" and answer.json()["name"] == "Billing"


async def test_the_list_shows_non_secret_fields_and_never_a_secret(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth, "http.api_key", {"name": "X-Key", "value": CANARY, "placement": "query"})
    (item,) = await listed(client, auth)
    assert item["id"] == key
    assert item["type"] == "http.api_key"
    assert item["flagged"] is False
    assert item["created_at"]
    assert item["fields"] == {"name": "X-Key", "placement": "query"}


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({}, "fields.token"),
        ({"token": CANARY, "extra": CANARY}, "fields.extra"),
        ({"token": ["not", "text", CANARY]}, "fields.token"),
    ],
)
async def test_bad_fields_answer_422_with_the_path_and_no_secret(
    client: httpx.AsyncClient, fields: dict[str, Any], path: str
) -> None:
    auth = await register(client, ADA)
    answer = await client.post(f"{API}/connections", json={"type": "http.bearer", "name": "x", "fields": fields},
                               headers=auth)
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == path
    assert CANARY not in answer.text
    assert await listed(client, auth) == []


async def test_a_bad_choice_names_its_field(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    fields = {"name": "k", "value": CANARY, "placement": "body"}
    answer = await client.post(f"{API}/connections", json={"type": "http.api_key", "name": "x", "fields": fields},
                               headers=auth)
    assert (answer.status_code, answer.json()["error"]["path"]) == (422, "fields.placement")
    assert CANARY not in answer.text


async def test_an_unknown_type_answers_422(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    answer = await client.post(f"{API}/connections", json={"type": "nope.key", "name": "x", "fields": {}},
                               headers=auth)
    assert (answer.status_code, answer.json()["error"]["path"]) == (422, "type")


async def test_connections_need_authentication(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{API}/connections")).status_code == 401


# -- other accounts


async def test_another_accounts_connection_is_not_found(client: httpx.AsyncClient) -> None:
    ada = await register(client, ADA)
    bob = await register(client, BOB)
    key = await create(client, ada)
    assert await listed(client, bob) == []
    assert (await client.post(f"{API}/connections/{key}/test", headers=bob)).status_code == 404
    assert (await client.delete(f"{API}/connections/{key}", headers=bob)).status_code == 404
    assert [c["id"] for c in await listed(client, ada)] == [key]


# -- test


async def test_a_passing_test_answers_ok_with_the_message(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth, "probe.key", {"api_key": CANARY, "region": "us"})
    answer = await client.post(f"{API}/connections/{key}/test", headers=auth)
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "message": "hello from us"}


async def test_a_type_without_a_test_checks_the_stored_fields(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth)
    answer = await client.post(f"{API}/connections/{key}/test", headers=auth)
    assert answer.status_code == 200
    assert answer.json()["ok"] is True


async def test_a_refused_test_answers_200_not_ok_and_flags_the_connection(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth, "probe.key", {"api_key": "revoked-key-1"})
    answer = await client.post(f"{API}/connections/{key}/test", headers=auth)
    assert answer.status_code == 200
    assert answer.json() == {"ok": False, "message": "AuthenticationError: the service refused the key"}
    assert (await listed(client, auth))[0]["flagged"] is True


async def test_a_passing_test_clears_the_flag(api: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = api
    auth = await register(client, ADA)
    key = await create(client, auth, "probe.key", {"api_key": "good"})
    (account,) = [c.account_id for c in await app.state.runtime.store.list_all_connections()]
    await app.state.runtime.store.set_connection_flag(account, key, True)
    assert (await client.post(f"{API}/connections/{key}/test", headers=auth)).json()["ok"] is True
    assert (await listed(client, auth))[0]["flagged"] is False


async def test_a_failing_tests_message_holds_no_secret(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth, "probe.key", {"api_key": f"unreachable-{CANARY}"})
    answer = await client.post(f"{API}/connections/{key}/test", headers=auth)
    assert answer.status_code == 200
    assert answer.json()["ok"] is False
    assert answer.json()["message"].startswith("ConnectionError: could not reach the service")
    assert CANARY not in answer.text
    assert (await listed(client, auth))[0]["flagged"] is False


# -- delete


async def test_delete_answers_204_and_the_connection_is_gone(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth)
    assert (await client.delete(f"{API}/connections/{key}", headers=auth)).status_code == 204
    assert await listed(client, auth) == []
    assert (await client.delete(f"{API}/connections/{key}", headers=auth)).status_code == 404
    assert (await client.post(f"{API}/connections/{key}/test", headers=auth)).status_code == 404


async def test_delete_removes_the_sealed_credentials_from_the_file(tmp_path: Path) -> None:
    db = database(tmp_path)
    async with running(tmp_path) as (_, client):
        auth = await register(client, ADA)
        key = await create(client, auth, name="name-canary-31c7")
        sealed = sealed_secrets(db, key)
        assert sealed is not None and len(sealed) > 40
        assert sealed in file_bytes(db)
        assert (await client.delete(f"{API}/connections/{key}", headers=auth)).status_code == 204
    content = file_bytes(db)
    assert sealed_secrets(db, key) is None
    assert sealed not in content
    assert b"name-canary-31c7" not in content
    assert CANARY.encode() not in content


# -- use in runs


async def test_an_http_request_with_a_bearer_connection_sends_the_token(
    client: httpx.AsyncClient, sink: Sink
) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth)
    scenario = await client.post(f"{API}/scenarios", json=calling(sink.url, key), headers=auth)
    assert scenario.status_code == 201, scenario.text
    execution = await run(client, auth, scenario.json()["id"])
    assert execution["status"] == "success", execution
    assert sink.authorizations == [f"Bearer {CANARY}"]
    assert CANARY not in json.dumps(execution)


async def test_a_step_gets_all_fields_of_its_connection_once_per_run(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth, "probe.key", {"api_key": "good", "region": "ap"})
    scenario = (await client.post(f"{API}/scenarios", json=calling("", key, "probe.echo"), headers=auth)).json()
    execution = await run(client, auth, scenario["id"])
    assert execution["status"] == "success", execution
    assert execution["log"][-1]["output"] == {"type": "probe.key", "region": "ap"}


async def test_an_authentication_error_in_a_run_flags_the_connection(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth, "probe.key", {"api_key": "revoked-key-1"})
    scenario = (await client.post(f"{API}/scenarios", json=calling("", key, "probe.echo"), headers=auth)).json()
    execution = await run(client, auth, scenario["id"])
    assert execution["error"]["type"] == "AuthenticationError"
    assert (await listed(client, auth))[0]["flagged"] is True


async def test_a_connection_deleted_after_save_fails_the_step_at_run_time(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth, "probe.key", {"api_key": "good"})
    scenario = (await client.post(f"{API}/scenarios", json=calling("", key, "probe.echo"), headers=auth)).json()
    assert (await client.delete(f"{API}/connections/{key}", headers=auth)).status_code == 204
    execution = await run(client, auth, scenario["id"])
    assert execution["status"] in ("error", "incomplete")
    assert execution["error"]["type"] == "InvalidConfigurationError"
    assert execution["error"]["step"] == "call"


# -- refused at save


async def save(client: httpx.AsyncClient, auth: dict[str, str], definition: dict[str, Any]) -> httpx.Response:
    return await client.post(f"{API}/scenarios", json=definition, headers=auth)


async def test_another_accounts_connection_is_refused_at_save(client: httpx.AsyncClient) -> None:
    ada = await register(client, ADA)
    bob = await register(client, BOB)
    bobs = await create(client, bob)
    answer = await save(client, ada, calling("http://127.0.0.1:9/", bobs))
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == "flow[0].connection"
    assert "not found" in answer.json()["error"]["message"]
    assert (await client.get(f"{API}/scenarios", headers=ada)).json() == []


async def test_a_missing_connection_is_refused_at_save(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    answer = await save(client, auth, calling("http://127.0.0.1:9/", "no-such-connection"))
    assert (answer.status_code, answer.json()["error"]["path"]) == (422, "flow[0].connection")


@pytest.mark.parametrize(("type_", "fields", "module"), [
    ("http.bearer", {"token": CANARY}, "probe.echo"),
    ("probe.key", {"api_key": CANARY}, "http.request"),
])
async def test_a_connection_of_a_type_the_module_does_not_take_is_refused_at_save(
    client: httpx.AsyncClient, type_: str, fields: dict[str, Any], module: str
) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth, type_, fields)
    answer = await save(client, auth, calling("http://127.0.0.1:9/", key, module))
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == "flow[0].connection"
    assert type_ in answer.json()["error"]["message"]
    assert CANARY not in answer.text


async def test_replacing_a_scenario_checks_its_connections_too(client: httpx.AsyncClient) -> None:
    ada = await register(client, ADA)
    bob = await register(client, BOB)
    mine, theirs = await create(client, ada), await create(client, bob)
    saved = await save(client, ada, calling("http://127.0.0.1:9/", mine))
    assert saved.status_code == 201
    answer = await client.put(f"{API}/scenarios/{saved.json()['id']}", headers=ada,
                              json=calling("http://127.0.0.1:9/", theirs))
    assert (answer.status_code, answer.json()["error"]["path"]) == (422, "flow[0].connection")


async def test_a_connection_in_an_error_handler_is_checked_with_its_path(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    definition = calling("http://127.0.0.1:9/", await create(client, auth))
    definition["flow"][0]["on_error"] = {"directive": "ignore", "flow": [
        {"id": "fallback", "module": "http.request", "params": {"method": "GET", "url": "http://127.0.0.1:9/"},
         "connection": "gone"}]}
    answer = await save(client, auth, definition)
    assert (answer.status_code, answer.json()["error"]["path"]) == (422, "flow[0].on_error.flow[0].connection")


# -- the canary, everywhere


async def test_the_secret_is_in_no_answer_no_log_and_not_in_the_file(tmp_path: Path, sink: Sink) -> None:
    db = database(tmp_path)
    async with running(tmp_path, egress_allow=LOOPBACK) as (_, client):
        auth = await register(client, ADA)
        key = await create(client, auth)
        scenario = await save(client, auth, calling(sink.url, key))
        execution = await run(client, auth, scenario.json()["id"])
        answers = [
            scenario,
            await client.get(f"{API}/scenarios/{scenario.json()['id']}", headers=auth),
            await client.get(f"{API}/executions/{execution['id']}", headers=auth),
            await client.get(f"{API}/connections", headers=auth),
            await client.post(f"{API}/connections/{key}/test", headers=auth),
            await client.get(f"{API}/account/export", headers=auth),
            await client.get(f"{API}/scenarios/{scenario.json()['id']}/executions", headers=auth),
        ]
        export = answers[5].json()
    assert sink.authorizations == [f"Bearer {CANARY}"]
    assert [a.status_code for a in answers] == [201, 200, 200, 200, 200, 200, 200]
    assert [a.request.url.path for a in answers if CANARY in a.text] == []
    assert [c["id"] for c in export["connections"]] == [key]
    assert export["connections"][0]["fields"] == {}
    assert CANARY not in (tmp_path / "data" / "access.log").read_text()
    assert CANARY.encode() not in file_bytes(db)
