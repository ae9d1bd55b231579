"""Webhook triggers that register themselves with a service, end to end through the REST API.

Hooky is a test app whose instant trigger "watch pushes" registers the
scenario's webhook URL with a real HTTP service on 127.0.0.1 (Starlette on
uvicorn) when the scenario is activated, and removes it when it is
deactivated, deleted or its trigger changes. Its connection type's ``auth``
factory puts the bearer token on those calls (``ctx.auth``).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scenarist.sdk import (
    App,
    AuthenticationError,
    ConnectionError,
    ConnectionType,
    DataError,
    InvalidConfigurationError,
    ModuleSpec,
    RunContext,
)
from tests.server.conftest import PASSWORD, register, running
from tests.threaded_server import serving

API = "/api/v1"
TOKEN = "hooky-token-5f1c"


# -- the service: registers webhooks, over real HTTP ----------------------------------------


class HookService:
    """A service that keeps the webhook URLs registered with it; ``failing`` holds the methods it refuses (503)."""

    def __init__(self) -> None:
        self.hooks: dict[str, dict[str, str]] = {}
        self.deleted: list[str] = []
        self.failing: set[str] = set()
        self.url = ""

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/hooks", self.create, methods=["POST"]),
            Route("/hooks/{hook_id}", self.delete, methods=["DELETE"]),
        ])

    async def create(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        hook_id = uuid.uuid4().hex
        self.hooks[hook_id] = await request.json()
        return JSONResponse({"id": hook_id}, status_code=201)

    async def delete(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        hook_id = request.path_params["hook_id"]
        if self.hooks.pop(hook_id, None) is None:
            return Response(status_code=404)
        self.deleted.append(hook_id)
        return Response(status_code=204)

    def _refused(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"message": "bad credentials"}, status_code=401)
        if request.method in self.failing:
            return JSONResponse({"message": "maintenance"}, status_code=503)
        return None


@pytest.fixture
def service() -> Iterator[HookService]:
    hooks = HookService()
    with serving(hooks.app()) as url:
        hooks.url = url
        yield hooks


# -- the app: a trigger with attach and detach, a connection type with an auth factory -------------


class TokenFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service_url: str
    token: str


class Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


class PushParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    repo: str


def service_url(ctx: RunContext, path: str) -> str:
    if ctx.connection is None or ctx.auth is None:
        raise InvalidConfigurationError("a hooky.token connection is needed")
    return f"{ctx.connection['fields']['service_url']}{path}"


def checked(answer: httpx.Response, gone: bool = False) -> httpx.Response:
    if answer.status_code == 401:
        raise AuthenticationError("the service refused the token")
    if answer.is_error and not (gone and answer.status_code == 404):
        raise ConnectionError(f"the service answered {answer.status_code}")
    return answer


async def attach(ctx: RunContext, params: PushParams, webhook_url: str) -> dict[str, str]:
    answer = await ctx.http.post(service_url(ctx, "/hooks"), json={"url": webhook_url, "repo": params.repo},
                                 auth=ctx.auth or httpx.USE_CLIENT_DEFAULT)
    return {"hook_id": checked(answer).json()["id"]}


async def detach(ctx: RunContext, params: PushParams, attached: Mapping[str, str]) -> None:
    url = service_url(ctx, f"/hooks/{attached['hook_id']}")
    checked(await ctx.http.delete(url, auth=ctx.auth or httpx.USE_CLIENT_DEFAULT), gone=True)


async def pushes(ctx: RunContext, params: PushParams) -> dict[str, Any]:
    """The stored request, checked and reshaped: the service says which event it sends."""
    request = ctx.trigger_input if isinstance(ctx.trigger_input, dict) else {}
    if (request.get("headers") or {}).get("x-hooky-event") != "push":
        raise DataError("not a push event")
    body = request["body"]
    return {"repo": params.repo, "pusher": body["pusher"]["name"], "commits": len(body["commits"])}


HOOKY = App(
    key="hooky",
    label="Hooky",
    modules=(ModuleSpec("pushes", "Watch pushes", "One bundle per push.", PushParams, pushes, kind="trigger",
                        connection_types=("hooky.token",), connection_required=True, attach=attach, detach=detach),),
    connection_types=(ConnectionType("hooky.token", "Hooky token", TokenFields, ("token",),
                                     auth=lambda fields: Bearer(fields["token"])),),
)


# -- helpers -------------------------------------------------------------------------------------


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running(tmp_path) as (app, client):
        app.state.runtime.registry.add(HOOKY)
        yield app, client


@pytest.fixture
def client(api: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return api[1]


async def connection(client: httpx.AsyncClient, auth: dict[str, str], service: HookService,
                     token: str = TOKEN) -> str:
    body = {"type": "hooky.token", "name": "Hooky", "fields": {"service_url": service.url, "token": token}}
    answer = await client.post(f"{API}/connections", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    connection_id: str = answer.json()["id"]
    return connection_id


def watching(connection_id: str, repo: str = "ada/scenarist", name: str = "Pushes") -> dict[str, Any]:
    return {
        "name": name,
        "trigger": {"id": "push", "module": "hooky.pushes", "params": {"repo": repo}, "connection": connection_id},
        "schedule": {"type": "immediately"},
        "flow": [{"id": "answer", "module": "webhooks.respond", "params": {"body": "{{ push }}"}}],
    }


async def scenario(client: httpx.AsyncClient, auth: dict[str, str], service: HookService,
                   token: str = TOKEN) -> dict[str, Any]:
    answer = await client.post(f"{API}/scenarios", json=watching(await connection(client, auth, service, token)),
                               headers=auth)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def post(client: httpx.AsyncClient, auth: dict[str, str], path: str) -> httpx.Response:
    return await client.post(f"{API}/scenarios/{path}", headers=auth)


async def active(client: httpx.AsyncClient, auth: dict[str, str], scenario_id: str) -> bool:
    answer = await client.get(f"{API}/scenarios/{scenario_id}", headers=auth)
    return bool(answer.json()["active"])


async def finished(client: httpx.AsyncClient, auth: dict[str, str], scenario_id: str) -> dict[str, Any]:
    """The scenario's one execution, once it is stored finished (the gateway may answer before)."""
    deadline = time.monotonic() + 10
    while True:
        runs = (await client.get(f"{API}/scenarios/{scenario_id}/executions", headers=auth)).json()
        if runs and runs[0]["status"] not in ("queued", "running"):
            [run] = runs
            detail: dict[str, Any] = (await client.get(f"{API}/executions/{run['id']}", headers=auth)).json()
            return detail
        assert time.monotonic() < deadline, runs
        await asyncio.sleep(0.02)


PUSH = {"pusher": {"name": "ada"}, "commits": [{"id": "c1"}, {"id": "c2"}]}


# -- end to end --------------------------------------------------------------------------------


async def test_activation_registers_the_hook_and_a_push_runs_with_the_reshaped_output(
    client: httpx.AsyncClient, service: HookService
) -> None:
    auth = await register(client)
    created = await scenario(client, auth, service)
    assert service.hooks == {}
    answer = await post(client, auth, f"{created['id']}/activate")
    assert answer.json() == {"id": created["id"], "active": True}
    [(hook_id, hook)] = service.hooks.items()
    assert hook == {"url": created["webhook_url"], "repo": "ada/scenarist"}

    delivered = await client.post(created["webhook_url"], json=PUSH, headers={"X-Hooky-Event": "push"})
    assert delivered.status_code == 200
    assert delivered.json() == {"repo": "ada/scenarist", "pusher": "ada", "commits": 2}
    detail = await finished(client, auth, created["id"])
    assert detail["status"] == "success"
    assert detail["log"][0]["output"] == {"repo": "ada/scenarist", "pusher": "ada", "commits": 2}

    assert (await post(client, auth, f"{created['id']}/deactivate")).json()["active"] is False
    assert service.hooks == {}
    assert service.deleted == [hook_id]


async def test_the_trigger_refuses_a_request_it_does_not_recognise(
    client: httpx.AsyncClient, service: HookService
) -> None:
    auth = await register(client)
    created = await scenario(client, auth, service)
    await post(client, auth, f"{created['id']}/activate")
    await client.post(created["webhook_url"], json=PUSH, headers={"X-Hooky-Event": "star"})
    run = await finished(client, auth, created["id"])
    assert run["status"] == "error"
    assert run["error"]["type"] == "DataError"


async def test_a_failed_attach_keeps_the_scenario_inactive_with_a_clear_error(
    client: httpx.AsyncClient, service: HookService
) -> None:
    auth = await register(client)
    created = await scenario(client, auth, service)
    service.failing.add("POST")
    answer = await post(client, auth, f"{created['id']}/activate")
    assert answer.status_code == 422
    assert answer.json() == {"error": {
        "code": "trigger_attach_failed", "path": "trigger",
        "message": "the trigger could not register its webhook with its service: "
                   "ConnectionError: the service answered 503",
    }}
    assert not await active(client, auth, created["id"])
    assert service.hooks == {}


async def test_refused_credentials_point_at_the_connection_and_flag_it(
    client: httpx.AsyncClient, service: HookService
) -> None:
    auth = await register(client)
    created = await scenario(client, auth, service, token="revoked")
    answer = await post(client, auth, f"{created['id']}/activate")
    assert (answer.status_code, answer.json()["error"]["path"]) == (422, "trigger.connection")
    assert "AuthenticationError" in answer.json()["error"]["message"]
    assert "revoked" not in answer.text
    [listed] = (await client.get(f"{API}/connections", headers=auth)).json()
    assert listed["flagged"] is True
    assert not await active(client, auth, created["id"])


async def test_a_failed_detach_on_delete_deletes_anyway_and_notifies(
    client: httpx.AsyncClient, service: HookService
) -> None:
    auth = await register(client)
    created = await scenario(client, auth, service)
    await post(client, auth, f"{created['id']}/activate")
    [hook_id] = service.hooks
    service.failing.add("DELETE")
    assert (await client.delete(f"{API}/scenarios/{created['id']}", headers=auth)).status_code == 204
    assert (await client.get(f"{API}/scenarios/{created['id']}", headers=auth)).status_code == 404
    [note] = (await client.get(f"{API}/notifications", headers=auth)).json()
    assert note["kind"] == "trigger_detach_failed"
    assert note["scenario_id"] == created["id"]
    assert created["webhook_url"] in note["message"]
    assert note["data"]["attached"] == {"hook_id": hook_id}
    assert note["data"]["error"]["type"] == "ConnectionError"
    assert list(service.hooks) == [hook_id]


async def test_a_new_repo_attaches_a_new_hook_and_detaches_the_old(
    client: httpx.AsyncClient, service: HookService
) -> None:
    auth = await register(client)
    created = await scenario(client, auth, service)
    await post(client, auth, f"{created['id']}/activate")
    [old] = service.hooks
    changed = watching(created["definition"]["trigger"]["connection"], repo="ada/other")
    answer = await client.put(f"{API}/scenarios/{created['id']}", json=changed, headers=auth)
    assert answer.status_code == 200, answer.text
    [(new, hook)] = service.hooks.items()
    assert hook == {"url": created["webhook_url"], "repo": "ada/other"}
    assert service.deleted == [old] and new != old
    assert await active(client, auth, created["id"])


async def test_a_rename_keeps_the_hook(client: httpx.AsyncClient, service: HookService) -> None:
    auth = await register(client)
    created = await scenario(client, auth, service)
    await post(client, auth, f"{created['id']}/activate")
    [hook_id] = service.hooks
    renamed = watching(created["definition"]["trigger"]["connection"], name="Renamed")
    assert (await client.put(f"{API}/scenarios/{created['id']}", json=renamed, headers=auth)).status_code == 200
    assert list(service.hooks) == [hook_id]
    assert service.deleted == []


async def test_an_edit_whose_new_hook_fails_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, service: HookService
) -> None:
    auth = await register(client)
    created = await scenario(client, auth, service)
    await post(client, auth, f"{created['id']}/activate")
    [hook_id] = service.hooks
    service.failing.add("POST")
    changed = watching(created["definition"]["trigger"]["connection"], repo="ada/other")
    answer = await client.put(f"{API}/scenarios/{created['id']}", json=changed, headers=auth)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "trigger_attach_failed")
    kept = (await client.get(f"{API}/scenarios/{created['id']}", headers=auth)).json()
    assert kept["definition"]["trigger"]["params"] == {"repo": "ada/scenarist"}
    assert kept["active"] is True
    assert list(service.hooks) == [hook_id]


async def test_the_registration_is_in_no_answer_nor_export(client: httpx.AsyncClient, service: HookService) -> None:
    auth = await register(client)
    created = await scenario(client, auth, service)
    await post(client, auth, f"{created['id']}/activate")
    [hook_id] = service.hooks
    for path in (f"/scenarios/{created['id']}", "/scenarios", "/account/export"):
        answer = await client.get(f"{API}{path}", headers=auth)
        assert answer.status_code == 200
        assert hook_id not in answer.text


async def test_erasing_the_account_detaches_its_triggers(client: httpx.AsyncClient, service: HookService) -> None:
    auth = await register(client)
    created = await scenario(client, auth, service)
    await post(client, auth, f"{created['id']}/activate")
    answer = await client.request("DELETE", f"{API}/account", json={"password": PASSWORD}, headers=auth)
    assert answer.status_code == 204
    assert service.hooks == {}


async def test_the_attachment_survives_a_restart(tmp_path: Path, service: HookService) -> None:
    async with running(tmp_path) as (app, client):
        app.state.runtime.registry.add(HOOKY)
        auth = await register(client)
        decoy = await scenario(client, auth, service)
        created = await scenario(client, auth, service)
        for scenario_id in (decoy["id"], created["id"]):
            await post(client, auth, f"{scenario_id}/activate")
        hook_id = next(h for h, hook in service.hooks.items() if hook["url"] == created["webhook_url"])
    async with running(tmp_path) as (app, client):
        app.state.runtime.registry.add(HOOKY)
        assert await active(client, auth, created["id"])
        assert (await post(client, auth, f"{created['id']}/deactivate")).status_code == 200
    assert service.deleted == [hook_id]
    assert [hook["url"] for hook in service.hooks.values()] == [decoy["webhook_url"]]
