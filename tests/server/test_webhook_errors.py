"""A webhook whose scenario has ``webhooks.respond`` and whose run fails before it (contract section 6)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.server.test_gateway import ECHO, hook_scenario, make_hook

PARSE = {"id": "parse", "module": "json.parse", "params": {"json": "{{ hook.body.text }}"}}


async def test_run_ending_incomplete_before_respond_answers_500_with_the_error(
        client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    _, hook = await make_hook(client, auth, hook_scenario(PARSE, ECHO))
    answer = await client.post(hook, json={"text": "{not json"})
    assert answer.status_code == 500
    error = answer.json()["error"]
    assert set(error) == {"type", "message"}
    assert error["type"] == "DataError"
    assert error["message"]


async def test_run_ending_error_before_respond_answers_500(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    _, hook = await make_hook(client, auth, hook_scenario(PARSE, ECHO, store_incomplete=False))
    answer = await client.post(hook, json={"text": "{not json"})
    assert (answer.status_code, answer.json()["error"]["type"]) == (500, "DataError")


async def test_respond_on_error_false_keeps_accepted(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    _, hook = await make_hook(client, auth, hook_scenario(PARSE, ECHO, respond_on_error=False))
    answer = await client.post(hook, json={"text": "{not json"})
    assert (answer.status_code, answer.json()) == (200, {"accepted": True})


async def test_confidential_scenario_answers_the_type_and_the_generic_message(
        client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    secret = "s3cr3t-payload-9a1"
    _, hook = await make_hook(client, auth, hook_scenario(PARSE, ECHO, confidential=True))
    answer = await client.post(hook, json={"text": "{" + secret})
    assert answer.status_code == 500
    error: dict[str, Any] = answer.json()["error"]
    assert error == {"type": "DataError", "message": "The data given to the module is not valid."}
    assert secret not in answer.text


async def test_respond_reached_after_a_handled_error_answers_its_output(
        client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    ignored = {**PARSE, "on_error": {"directive": "resume", "output": {"value": 1}}}
    _, hook = await make_hook(client, auth, hook_scenario(ignored, ECHO))
    answer = await client.post(hook, json={"text": "{not json"})
    assert answer.status_code == 201
