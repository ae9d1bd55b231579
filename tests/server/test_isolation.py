"""Tenant isolation: an account never reaches another account's objects (contract section 5).

Account B owns a scenario with executions, an incomplete execution, a
notification and API tokens. Account A tries every ``/api/v1`` route that takes
an id with B's ids: each answers 404 exactly as for an id that does not exist,
shows nothing of B, and changes nothing of B. The routes come from
``app.routes``: a route with a path parameter that ``CASES`` does not cover
fails ``test_every_id_route_has_a_case``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import Route

from scenarist.types import new_id
from tests.server.conftest import PASSWORD, register

API = "/api/v1"
A_EMAIL, B_EMAIL = "alice.isolation@example.com", "bob.isolation@example.com"
B_NAME = "bob-private-scenario-7f3c"
B_VARIABLE = "bob-private-variable-91ad"
B_CONNECTION = "bob-private-connection-4be0"
B_PASSWORD = "bob-connection-password-c81e"
B_STORE = "bob-private-data-store-5d2e"
B_RECORD_KEY = "bob/private-key-7a1c"
B_RECORD = "bob-private-record-0f6b"


def failing_scenario(name: str, marker: str) -> dict[str, Any]:
    """A webhook scenario whose json.parse step fails on invalid JSON: an incomplete execution."""
    return {
        "name": name,
        "trigger": {"id": "hook", "module": "webhooks.custom"},
        "schedule": {"type": "immediately"},
        "flow": [
            {"id": "parse", "module": "json.parse", "params": {"json": "{{ hook.body.text }}"}},
            {"id": "keep", "module": "tools.set_variables", "params": {"variables": {"v": marker}}},
        ],
    }


def simple_scenario(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "trigger": {"id": "hook", "module": "webhooks.custom"},
        "schedule": {"type": "immediately"},
        "flow": [{"id": "keep", "module": "tools.set_variables", "params": {"variables": {"v": 1}}}],
    }


@dataclass(frozen=True)
class Case:
    """One request against a route: which of B's objects fills its path parameter, with what body and query."""

    kind: str
    body: Any = None
    query: str = ""


# Every /api/v1 route with a path parameter, by (method, path) as app.routes spells it.
CASES: dict[tuple[str, str], tuple[Case, ...]] = {
    ("GET", f"{API}/scenarios/{{scenario_id}}"): (Case("scenario"),),
    ("PUT", f"{API}/scenarios/{{scenario_id}}"): (Case("scenario", body=simple_scenario("taken over")),),
    ("DELETE", f"{API}/scenarios/{{scenario_id}}"): (Case("scenario"),),
    ("POST", f"{API}/scenarios/{{scenario_id}}/activate"): (Case("scenario"),),
    ("POST", f"{API}/scenarios/{{scenario_id}}/deactivate"): (Case("active_scenario"),),
    ("POST", f"{API}/scenarios/{{scenario_id}}/run"): (
        Case("scenario", body={"input": {"text": "{}"}}),
        Case("scenario", body={"input": {"text": "{}"}}, query="wait=true"),
        Case("scenario"),
    ),
    ("GET", f"{API}/scenarios/{{scenario_id}}/executions"): (
        Case("scenario"),
        Case("scenario", query="limit=10000&status=incomplete"),
    ),
    ("GET", f"{API}/scenarios/{{scenario_id}}/gateway-log"): (
        Case("scenario"), Case("scenario", query="limit=10000")),
    ("GET", f"{API}/executions/{{execution_id}}"): (Case("execution"), Case("failed_execution")),
    ("POST", f"{API}/incomplete-executions/{{incomplete_id}}/retry"): (Case("incomplete"),),
    ("DELETE", f"{API}/incomplete-executions/{{incomplete_id}}"): (Case("incomplete"),),
    ("POST", f"{API}/notifications/{{notification_id}}/read"): (Case("notification"),),
    ("DELETE", f"{API}/tokens/{{token_id}}"): (Case("token"), Case("spare_token")),
    ("DELETE", f"{API}/connections/{{connection_id}}"): (Case("connection"),),
    ("POST", f"{API}/connections/{{connection_id}}/test"): (Case("connection"),),
    ("PATCH", f"{API}/connections/{{connection_id}}"): (
        Case("connection", body={"name": "taken over"}),
        Case("connection", body={"fields": {"password": "taken over"}})),
    ("GET", f"{API}/data-stores/{{data_store_id}}"): (Case("data_store"),),
    ("PUT", f"{API}/data-stores/{{data_store_id}}"): (
        Case("data_store", body={"name": "taken over", "max_records": 1}),),
    ("GET", f"{API}/data-stores/{{data_store_id}}/records"): (
        Case("data_store"), Case("data_store", query="limit=1000&after=a")),
    ("GET", f"{API}/data-stores/{{data_store_id}}/records/{{key:path}}"): (Case("data_store"),),
    ("PUT", f"{API}/data-stores/{{data_store_id}}/records/{{key:path}}"): (
        Case("data_store", body={"data": {"note": "taken over"}}),),
    ("DELETE", f"{API}/data-stores/{{data_store_id}}/records/{{key:path}}"): (Case("data_store"),),
    ("DELETE", f"{API}/data-stores/{{data_store_id}}"): (Case("data_store"),),
    ("POST", f"{API}/connections/{{connection_id}}/authorize"): (Case("oauth_connection"),),
    ("GET", f"{API}/scenarios/{{scenario_id}}/next-execution"): (Case("scenario"),),
    ("GET", f"{API}/executions/{{execution_id}}/events"): (Case("execution"), Case("failed_execution")),
    ("GET", f"{API}/scenarios/{{scenario_id}}/versions"): (Case("scenario"), Case("scenario", query="limit=1000")),
    ("GET", f"{API}/scenarios/{{scenario_id}}/versions/{{n}}"): (Case("scenario"),),
    ("POST", f"{API}/scenarios/{{scenario_id}}/versions/{{n}}/restore"): (Case("scenario"),),
}


def route_table(app: FastAPI) -> list[tuple[str, set[str]]]:
    """(path, methods) of every HTTP route of the app, routers included by the app flattened."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.165 keeps included routers nested
    except ImportError:  # pragma: no cover - older FastAPI lists every route in app.routes
        return [(route.path, set(route.methods or ())) for route in app.routes if isinstance(route, Route)]
    return [(context.path, set(context.methods or ())) for context in iter_route_contexts(app.routes)
            if context.path is not None and context.methods is not None]


NO_ACCOUNT_OBJECT: dict[tuple[str, str], str] = {
    ("GET", f"{API}/auth/email-link/{{token}}"):
        "a sign-in link is a credential of its own, no object of an account (tests/server/test_email_link.py)",
}
"""Routes with a path parameter that names nothing of an account, so no isolation case applies; why."""


def api_routes(app: FastAPI) -> list[tuple[str, str, bool]]:
    """(method, path, has path parameters) of every /api/v1 route, HEAD and ``NO_ACCOUNT_OBJECT`` left out."""
    found = [(method, path, "{" in path) for path, methods in route_table(app) if path.startswith(API + "/")
             for method in sorted(methods) if method != "HEAD" and (method, path) not in NO_ACCOUNT_OBJECT]
    assert ("GET", f"{API}/scenarios/{{scenario_id}}", True) in found, f"route table not understood: {found}"
    return found


def fill(path: str, ident: str) -> str:
    """``ident`` for the path's parameter; a data store record's key is always B's record's, a scenario
    version number always 1 (B's scenario's first)."""
    path = re.sub(r"\{key(:path)?\}", quote(B_RECORD_KEY, safe=""), path).replace("{n}", "1")
    start, end = path.index("{"), path.index("}")
    assert "{" not in path[end:], f"{path}: one path parameter expected"
    return path[:start] + ident + path[end + 1:]


def url_of(path: str, ident: str, case: Case) -> str:
    return fill(path, ident) + (f"?{case.query}" if case.query else "")


async def send(client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str],
               body: Any = None) -> httpx.Response:
    if body is None:
        return await client.request(method, url, headers=headers)
    return await client.request(method, url, headers=headers, json=body)


def error_shape(answer: httpx.Response) -> dict[str, Any]:
    body = answer.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str), body
    assert set(body["error"]) <= {"code", "message", "path"}, body
    return body


# -- B's world


@dataclass
class World:
    a: dict[str, str]
    b: dict[str, str]
    ids: dict[str, str]
    """B's objects by kind (see Case.kind)."""
    a_scenario: str
    secrets: list[str]
    """Strings that only B's data contains."""
    spare_token: str
    """B's second API token (its secret)."""


async def build_world(client: httpx.AsyncClient) -> World:
    a = await register(client, A_EMAIL)
    b = await register(client, B_EMAIL)

    created = await client.post(f"{API}/scenarios", json=failing_scenario(B_NAME, B_VARIABLE), headers=b)
    assert created.status_code == 201, created.text
    scenario = created.json()
    failed = await client.post(f"{API}/scenarios/{scenario['id']}/run?wait=true",
                               json={"input": {"text": "this is { not JSON"}}, headers=b)
    assert failed.status_code == 200, failed.text
    assert failed.json()["status"] == "incomplete", failed.json()
    succeeded = await client.post(f"{API}/scenarios/{scenario['id']}/run?wait=true",
                                  json={"input": {"text": '{"ok": 1}'}}, headers=b)
    assert succeeded.json()["status"] == "success", succeeded.json()

    active = (await client.post(f"{API}/scenarios", json=simple_scenario(B_NAME + "-active"), headers=b)).json()
    assert (await client.post(f"{API}/scenarios/{active['id']}/activate", headers=b)).json()["active"] is True

    [incomplete] = (await client.get(f"{API}/incomplete-executions", headers=b)).json()
    notifications = (await client.get(f"{API}/notifications", headers=b)).json()
    assert [n["data"].get("incomplete_id") for n in notifications] == [incomplete["id"]], notifications
    connection = await client.post(f"{API}/connections", headers=b, json={
        "type": "http.basic", "name": B_CONNECTION, "fields": {"username": "bob", "password": B_PASSWORD}})
    assert connection.status_code == 201, connection.text
    oauth_connection = await client.post(f"{API}/connections", headers=b, json={
        "type": "http.oauth2", "name": B_CONNECTION + "-oauth", "fields": {
            "authorize_url": "https://auth.example.com/authorize", "token_url": "https://auth.example.com/token",
            "client_id": "bob-client", "client_secret": B_PASSWORD + "-oauth"}})
    assert oauth_connection.status_code == 201, oauth_connection.text
    store = await client.post(f"{API}/data-stores", headers=b, json={
        "name": B_STORE, "structure": [{"name": "note", "type": "text"}]})
    assert store.status_code == 201, store.text
    record = await client.put(f"{API}/data-stores/{store.json()['id']}/records/{quote(B_RECORD_KEY, safe='')}",
                              json={"data": {"note": B_RECORD}}, headers=b)
    assert record.status_code == 200, record.text
    spare = await client.post(f"{API}/tokens", json={"name": "bob-spare"}, headers=b)
    assert spare.status_code == 201, spare.text
    tokens = {t["name"]: t["id"] for t in (await client.get(f"{API}/tokens", headers=b)).json()}
    me = (await client.get(f"{API}/auth/me", headers=b)).json()

    # A has objects of the same kinds, so A's lists are not empty by accident.
    mine = (await client.post(f"{API}/scenarios", json=failing_scenario("alice's own", "alice"), headers=a)).json()
    own_connection = await client.post(f"{API}/connections", headers=a, json={
        "type": "http.basic", "name": "alice's", "fields": {"username": "alice", "password": "alice-pw"}})
    assert own_connection.status_code == 201, own_connection.text
    own_store = await client.post(f"{API}/data-stores", headers=a, json={
        "name": "alice's", "structure": [{"name": "note", "type": "text"}]})
    assert own_store.status_code == 201, own_store.text
    own_run = await client.post(f"{API}/scenarios/{mine['id']}/run?wait=true", json={"input": {"text": "{"}},
                                headers=a)
    assert own_run.json()["status"] == "incomplete", own_run.text

    ids = {
        "scenario": scenario["id"], "active_scenario": active["id"],
        "execution": succeeded.json()["id"], "failed_execution": failed.json()["id"],
        "incomplete": incomplete["id"], "notification": notifications[0]["id"],
        "token": tokens["tests"], "spare_token": tokens["bob-spare"], "account": me["id"],
        "connection": connection.json()["id"], "data_store": store.json()["id"],
        "oauth_connection": oauth_connection.json()["id"],
    }
    secrets = [*ids.values(), B_NAME, B_VARIABLE, B_EMAIL, B_CONNECTION, B_PASSWORD, B_STORE, B_RECORD_KEY, B_RECORD,
               scenario["webhook_url"].rsplit("/", 1)[1], spare.json()["token"], b["Authorization"].split()[1]]
    return World(a=a, b=b, ids=ids, a_scenario=mine["id"], secrets=secrets, spare_token=spare.json()["token"])


async def snapshot(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """Everything B can see of B's objects."""
    b, ids = world.b, world.ids
    got: dict[str, Any] = {}
    for kind in ("scenario", "active_scenario"):
        got[kind] = (await client.get(f"{API}/scenarios/{ids[kind]}", headers=b)).json()
        got[kind + "_executions"] = (await client.get(f"{API}/scenarios/{ids[kind]}/executions?limit=10000",
                                                      headers=b)).json()
    for kind in ("execution", "failed_execution"):
        got[kind] = (await client.get(f"{API}/executions/{ids[kind]}", headers=b)).json()
    got["data_store_records"] = (await client.get(f"{API}/data-stores/{ids['data_store']}/records",
                                                  headers=b)).json()
    for name in ("scenarios", "incomplete-executions", "notifications", "tokens", "connections", "data-stores",
                 "auth/me"):
        answer = await client.get(f"{API}/{name}", headers=b)
        assert answer.status_code == 200, (name, answer.text)
        got[name] = answer.json()
    return got


def leaked(text: str, world: World) -> list[str]:
    return [secret for secret in world.secrets if secret in text]


# -- the tests


def test_every_id_route_has_a_case(app: FastAPI) -> None:
    with_ids = {(method, path) for method, path, has_params in api_routes(app) if has_params}
    assert with_ids, "no /api/v1 route with a path parameter found"
    assert sorted(with_ids - set(CASES)) == [], "routes with a path parameter and no isolation case"
    assert sorted(set(CASES) - with_ids) == [], "cases for routes that no longer exist"


@pytest.mark.parametrize("credentials", ["bearer", "session"])
async def test_other_accounts_objects_answer_404_and_stay_intact(app: FastAPI, client: httpx.AsyncClient,
                                                                 credentials: str) -> None:
    world = await build_world(client)
    before = await snapshot(client, world)
    if credentials == "bearer":
        as_a = world.a
    else:
        login = await client.post(f"{API}/auth/login", json={"email": A_EMAIL, "password": PASSWORD})
        assert login.status_code == 200, login.text
        as_a = {"X-CSRF-Token": login.json()["csrf_token"]}
        assert (await client.get(f"{API}/auth/me", headers=as_a)).json()["email"] == A_EMAIL

    problems: list[str] = []
    for method, path, has_params in api_routes(app):
        if not has_params:
            continue
        for case in CASES[(method, path)]:
            theirs = await send(client, method, url_of(path, world.ids[case.kind], case), as_a, case.body)
            nobody = await send(client, method, url_of(path, new_id(), case), as_a, case.body)
            where = f"{method} {url_of(path, '{' + case.kind + '}', case)}"
            if theirs.status_code != 404:
                problems.append(f"{where}: {theirs.status_code} {theirs.text[:300]}")
                continue
            error_shape(theirs)
            if theirs.json() != nobody.json() or nobody.status_code != 404:
                problems.append(f"{where}: differs from a missing id: {theirs.text} vs {nobody.text}")
            if found := leaked(theirs.text + json.dumps(dict(theirs.headers)), world):
                problems.append(f"{where}: shows B's data {found}")
    assert problems == [], "\n".join(problems)

    # Lists and reads without ids show nothing of B.
    for method, path, has_params in api_routes(app):
        if method == "GET" and not has_params and path != f"{API}/oauth/callback":  # a browser's landing, no read
            answer = await client.get(path, headers=as_a)
            assert answer.status_code == (204 if path == f"{API}/auth/remembered" else 200), (path, answer.text)
            assert leaked(answer.text, world) == [], path
    filtered = await client.get(f"{API}/incomplete-executions", params={"scenario_id": world.ids["scenario"]},
                                headers=as_a)
    assert (filtered.status_code, filtered.json()) == (200, [])
    own = await client.get(f"{API}/incomplete-executions", headers=as_a)
    assert [i["scenario_id"] for i in own.json()] == [world.a_scenario]
    paged = await client.get(f"{API}/scenarios/{world.a_scenario}/executions",
                             params={"before": world.ids["execution"]}, headers=as_a)
    assert (paged.status_code, paged.json()) == (200, [])
    assert [s["id"] for s in (await client.get(f"{API}/scenarios", headers=as_a)).json()] == [world.a_scenario]
    assert (await client.get(f"{API}/notifications", headers=as_a)).json() != []

    # A scenario of A's cannot use B's connection: answered as for a connection that does not exist.
    def borrowing(connection_id: str) -> dict[str, Any]:
        step = {"id": "call", "module": "http.request", "connection": connection_id,
                "params": {"method": "GET", "url": "https://example.com/"}}
        return {**simple_scenario("borrower"), "flow": [step]}

    stranger = new_id()
    theirs = await client.post(f"{API}/scenarios", json=borrowing(world.ids["connection"]), headers=as_a)
    nobody = await client.post(f"{API}/scenarios", json=borrowing(stranger), headers=as_a)
    assert theirs.status_code == 422, theirs.text
    assert theirs.text.replace(world.ids["connection"], "ID") == nobody.text.replace(stranger, "ID")
    assert leaked(theirs.text.replace(world.ids["connection"], "ID"), world) == []

    # B's objects are as they were; B's tokens still work.
    await app.state.runtime.idle()  # a retry or run that leaked through has written by now
    assert await snapshot(client, world) == before
    for token in (world.b, {"Authorization": f"Bearer {world.spare_token}"}):
        assert (await client.get(f"{API}/auth/me", headers=token)).json()["id"] == world.ids["account"]

    # Control: the same requests as B reach real objects (so the 404s above came from the owner check).
    order = sorted(CASES.items(), key=lambda item: (item[0][0] == "DELETE", item[0][1].endswith("{scenario_id}")))
    b_token = world.b
    for (method, path), cases in order:
        for case in cases:
            if case.kind == "token":
                continue  # B's own bearer token: deleting it would end the control
            if path.endswith("/next-execution"):
                continue  # B's stream waits for a run (its control: tests/server/test_next_execution.py)
            answer = await send(client, method, url_of(path, world.ids[case.kind], case), b_token, case.body)
            assert answer.status_code < 300, (method, path, case, answer.text)


async def test_id_routes_without_credentials_answer_401(app: FastAPI, client: httpx.AsyncClient) -> None:
    world = await build_world(client)
    for method, path, has_params in api_routes(app):
        if not has_params:
            continue
        for case in CASES[(method, path)]:
            for ident in (world.ids[case.kind], new_id()):
                answer = await send(client, method, url_of(path, ident, case), {}, case.body)
                assert answer.status_code == 401, (method, path, answer.text)
                assert error_shape(answer)["error"]["code"] == "unauthorized"
                assert leaked(answer.text, world) == []
