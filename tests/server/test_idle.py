"""``idle()``: what tests (and a draining process) wait on instead of sleeping. The group commit is idle once
every item submitted is written; the runtime once what a request set going (the run, its finishing, the
gateway log) has ended."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from scenarist.server.group_commit import GroupCommit
from tests.server.test_gateway import executions, hook_scenario, make_hook

API = "/api/v1"


async def test_the_group_commit_is_idle_once_every_submitted_item_is_written() -> None:
    written: list[list[int]] = []
    release = asyncio.Event()

    async def write(batch: list[int]) -> None:
        await release.wait()
        written.append(batch)

    commit: GroupCommit[int] = GroupCommit(write)
    submitted = [asyncio.create_task(commit.submit(n)) for n in range(3)]
    await asyncio.sleep(0)  # the submissions are queued, the writer waits on the release
    assert commit.busy
    idle = asyncio.create_task(commit.idle())
    await asyncio.sleep(0)
    assert not idle.done()  # the batch is not written yet
    release.set()
    await asyncio.wait_for(idle, 5)
    assert sorted(n for batch in written for n in batch) == [0, 1, 2] and not commit.busy
    await asyncio.gather(*submitted)


async def test_the_group_commit_is_idle_at_once_when_nothing_was_submitted() -> None:
    async def write(batch: list[int]) -> None:
        raise AssertionError("nothing to write")

    commit: GroupCommit[int] = GroupCommit(write)
    await asyncio.wait_for(commit.idle(), 1)
    assert not commit.busy


async def test_the_runtime_is_idle_once_the_webhooks_runs_are_recorded(app: FastAPI, client: httpx.AsyncClient,
                                                                       auth: dict[str, str]) -> None:
    slow = {"id": "wait", "module": "tools.sleep", "params": {"seconds": 0.3}}
    sid, hook = await make_hook(client, auth, hook_scenario(slow))
    for n in range(3):
        assert (await client.post(hook, json={"n": n})).status_code in (200, 202)
    await app.state.runtime.idle()
    found = await executions(client, auth, sid)
    assert [e["status"] for e in found] == ["success"] * 3  # finished and stored, with no polling
    account = (await client.get(f"{API}/auth/me", headers=auth)).json()["id"]
    stored = await app.state.runtime.store.list_gateway_logs(account, scenario_id=sid, limit=10)
    assert len(stored) == 3  # and the gateway log is in the store (the API would flush it itself)
