"""A webhook trigger that checks a signature over the request's exact bytes (``ModuleSpec.raw_body``)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ConfigDict

from scenarist.sdk import App, ConnectionType, DataError, ModuleSpec, RunContext
from tests.server.conftest import register, running

API = "/api/v1"
SECRET = "signing-secret-77aa"


class SecretFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    secret: str


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


async def signed_event(ctx: RunContext, params: NoParams) -> dict[str, Any]:
    """Checks ``X-Signature: sha256=<hex>`` over the raw body, as GitHub and Stripe sign theirs."""
    request = ctx.trigger_input if isinstance(ctx.trigger_input, dict) else {}
    assert ctx.connection is not None
    raw = base64.b64decode(request.get("raw_body", ""))
    want = "sha256=" + hmac.new(ctx.connection["fields"]["secret"].encode(), raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, str(request.get("headers", {}).get("x-signature", ""))):
        raise DataError("the signature does not match the body")  # the sender is at fault, not the secret
    return {"event": request["body"], "bytes": len(raw)}


async def plain_event(ctx: RunContext, params: NoParams) -> dict[str, Any]:
    request = ctx.trigger_input if isinstance(ctx.trigger_input, dict) else {}
    return {"keys": sorted(request)}


SIGNY = App(
    key="signy",
    label="Signy",
    modules=(
        ModuleSpec("signed", "Signed events", "One bundle per signed event.", NoParams, signed_event, kind="trigger",
                   connection_types=("signy.secret",), connection_required=True, raw_body=True),
        ModuleSpec("plain", "Plain events", "One bundle per event.", NoParams, plain_event, kind="trigger"),
    ),
    connection_types=(ConnectionType("signy.secret", "Signing secret", SecretFields, ("secret",)),),
)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running(tmp_path) as (app, http):
        app.state.runtime.registry.add(SIGNY)
        yield http


async def hooked(client: httpx.AsyncClient, auth: dict[str, str], module: str) -> dict[str, Any]:
    trigger: dict[str, Any] = {"id": "event", "module": module}
    if module == "signy.signed":
        connection = await client.post(f"{API}/connections", headers=auth, json={
            "type": "signy.secret", "name": "Signy", "fields": {"secret": SECRET}})
        trigger["connection"] = connection.json()["id"]
    definition = {"name": "Signed", "trigger": trigger, "settings": {"store_incomplete": False},
                  "flow": [{"id": "answer", "module": "webhooks.respond", "params": {"body": "{{ event }}"}}]}
    created = await client.post(f"{API}/scenarios", json=definition, headers=auth)
    assert created.status_code == 201, created.text
    scenario: dict[str, Any] = created.json()
    assert (await client.post(f"{API}/scenarios/{scenario['id']}/activate", headers=auth)).status_code == 200
    return scenario


async def last_run(client: httpx.AsyncClient, auth: dict[str, str], scenario_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        runs = (await client.get(f"{API}/scenarios/{scenario_id}/executions", headers=auth)).json()
        if runs and runs[0]["status"] not in ("queued", "running"):
            found: dict[str, Any] = runs[0]
            return found
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)


async def test_the_signature_is_checked_over_the_exact_bytes(client: httpx.AsyncClient) -> None:
    auth = await register(client)
    scenario = await hooked(client, auth, "signy.signed")
    raw = b'{ "b": 1,\n  "a": [1, 2.50] }'  # re-encoding the parsed JSON would not give these bytes back
    signature = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    answer = await client.post(scenario["webhook_url"], content=raw,
                               headers={"Content-Type": "application/json", "X-Signature": signature})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"event": {"b": 1, "a": [1, 2.5]}, "bytes": len(raw)}


async def test_a_forged_signature_fails_the_trigger(client: httpx.AsyncClient) -> None:
    auth = await register(client)
    scenario = await hooked(client, auth, "signy.signed")
    raw = b'{"amount": 1000000}'
    forged = "sha256=" + hmac.new(b"guessed", raw, hashlib.sha256).hexdigest()
    await client.post(scenario["webhook_url"], content=raw,
                      headers={"Content-Type": "application/json", "X-Signature": forged})
    run = await last_run(client, auth, scenario["id"])
    assert run["status"] == "error"
    assert run["error"]["type"] == "DataError"


async def test_other_triggers_get_no_raw_body(client: httpx.AsyncClient) -> None:
    auth = await register(client)
    scenario = await hooked(client, auth, "signy.plain")
    answer = await client.post(scenario["webhook_url"], json={"x": 1})
    assert answer.json() == {"keys": ["body", "headers", "method", "query"]}
