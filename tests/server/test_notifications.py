"""Notifications: a failed run leaves one, unread until `POST /notifications/{id}/read`."""

from __future__ import annotations

import httpx

from tests.server.conftest import register
from tests.server.test_isolation import failing_scenario

API = "/api/v1"


async def failed_run(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    created = await client.post(f"{API}/scenarios", json=failing_scenario("Parses", "x"), headers=auth)
    assert created.status_code == 201, created.text
    run = await client.post(f"{API}/scenarios/{created.json()['id']}/run?wait=true",
                            json={"input": {"text": "{ not JSON"}}, headers=auth)
    assert run.json()["status"] == "incomplete", run.text


async def test_a_notification_is_unread_until_marked_read(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await failed_run(client, auth)
    [notification] = (await client.get(f"{API}/notifications", headers=auth)).json()
    assert notification["unread"] is True and notification["read_at"] is None
    read = await client.post(f"{API}/notifications/{notification['id']}/read", headers=auth)
    assert read.status_code == 204, read.text
    [after] = (await client.get(f"{API}/notifications", headers=auth)).json()
    assert after["unread"] is False and after["read_at"]
    again = await client.post(f"{API}/notifications/{notification['id']}/read", headers=auth)
    assert again.status_code == 204
    [still] = (await client.get(f"{API}/notifications", headers=auth)).json()
    assert still["read_at"] == after["read_at"]


async def test_another_accounts_notification_is_not_found(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await failed_run(client, auth)
    [notification] = (await client.get(f"{API}/notifications", headers=auth)).json()
    other = await register(client, "eve@example.com")
    answer = await client.post(f"{API}/notifications/{notification['id']}/read", headers=other)
    assert answer.status_code == 404
    assert (await client.post(f"{API}/notifications/nope/read", headers=auth)).status_code == 404
    [mine] = (await client.get(f"{API}/notifications", headers=auth)).json()
    assert mine["unread"] is True


async def test_a_retry_with_wait_answers_its_execution(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await failed_run(client, auth)
    [incomplete] = (await client.get(f"{API}/incomplete-executions", headers=auth)).json()
    retry = await client.post(f"{API}/incomplete-executions/{incomplete['id']}/retry?wait=true", headers=auth)
    assert retry.status_code == 200, retry.text
    assert retry.json()["status"] == "incomplete", retry.json()
    [after] = (await client.get(f"{API}/incomplete-executions", headers=auth)).json()
    assert after["id"] == incomplete["id"] and after["attempts"] == incomplete["attempts"] + 1, (incomplete, after)
    missing = await client.post(f"{API}/incomplete-executions/nope/retry?wait=true", headers=auth)
    assert missing.status_code == 404
