"""The webhook write path on the embedded SQLite (issue 11): batched, and still exact.

The gateway's intake, the running marks, the finished runs with their activity
and usage, and the gateway log go to the SQLite writer in batches, many
requests per commit. Through the HTTP surface of a running app:

- a webhook answered 2xx has its execution committed when the answer arrives
  (a fresh connection to the database file finds it);
- under concurrent load no run, activity, usage or gateway log entry is lost:
  after a clean stop, the store opened again holds one finished run per
  request, each with its whole activity stream.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from scenarist.store.factory import open_store
from scenarist.types import SystemClock
from tests.server.conftest import make_settings, register, running

API = "/api/v1"
REQUESTS = 160
AT_ONCE = 32


def hook_scenario(name: str, *flow: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "trigger": {"id": "hook", "module": "webhooks.custom"},
            "schedule": {"type": "immediately"}, "flow": list(flow)}


SHAPE = {"id": "shape", "module": "tools.set_variables",
         "params": {"variables": {"id": "{{ hook.body.id }}", "double": "{{ hook.body.id * 2 }}"}}}
ANSWER = {"id": "answer", "module": "webhooks.respond", "params": {"body": {"id": "{{ shape.id }}"}}}


async def active_hook(http: httpx.AsyncClient, auth: dict[str, str], definition: dict[str, Any]) -> tuple[str, str]:
    created = await http.post(f"{API}/scenarios", json=definition, headers=auth)
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert (await http.post(f"{API}/scenarios/{sid}/activate", headers=auth)).status_code == 200
    return sid, created.json()["webhook_url"].removeprefix("http://127.0.0.1:8000")


def committed_ids(database: Path) -> set[int]:
    """The request ids of the executions a new connection to the file sees (what is committed)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT json_extract(trigger_input, '$.body.id') FROM executions").fetchall()
    return {row[0] for row in rows}


async def flood(http: httpx.AsyncClient, hook: str, first: int, check: Any = None) -> list[httpx.Response]:
    answers: list[httpx.Response] = []

    async def send(n: int) -> None:
        answer = await http.post(hook, json={"id": n})
        answers.append(answer)
        if check is not None:
            check(n, answer)

    for start in range(first, first + REQUESTS, AT_ONCE):
        await asyncio.gather(*(send(n) for n in range(start, start + AT_ONCE)))
    return answers


async def test_write_path_a_webhook_answered_2xx_is_committed_when_the_answer_arrives(tmp_path: Path) -> None:
    database = tmp_path / "data" / "scenarist.db"
    late: list[int] = []

    def check(n: int, answer: httpx.Response) -> None:
        assert answer.status_code == 200, answer.text
        if n not in committed_ids(database):
            late.append(n)

    async with running(tmp_path) as (_, http):
        auth = await register(http)
        _, stored_first = await active_hook(http, auth, hook_scenario("queued", SHAPE))
        _, after_run = await active_hook(http, auth, hook_scenario("answered", SHAPE, ANSWER))
        await flood(http, stored_first, 0, check)
        await flood(http, after_run, 10_000, check)
    assert late == [], "answered 2xx before the execution was committed"


async def test_write_path_no_run_activity_usage_or_log_entry_is_lost_under_load(tmp_path: Path) -> None:
    async with running(tmp_path) as (app, http):
        auth = await register(http)
        account = (await http.get(f"{API}/auth/me", headers=auth)).json()["id"]
        answered_sid, answered = await active_hook(http, auth, hook_scenario("answered", SHAPE, ANSWER))
        queued_sid, queued = await active_hook(http, auth, hook_scenario("queued", SHAPE))
        replies = await flood(http, answered, 0)
        accepted = await flood(http, queued, 10_000)
        assert sorted(r.json()["id"] for r in replies) == list(range(REQUESTS))
        assert {r.status_code for r in accepted} == {200}
        assert app.state.runtime.store.writer is not None, "the app does not run on the SQLite writer"

    store = await open_store(make_settings(tmp_path).effective_database_url())
    try:
        expected = ((answered_sid, 0, ["hook", "shape", "answer"]), (queued_sid, 10_000, ["hook", "shape"]))
        for sid, first, steps in expected:
            runs = await store.list_executions(account, sid, limit=10_000)
            assert sorted(run.trigger_input["body"]["id"] for run in runs) == list(range(first, first + REQUESTS))
            assert {run.status.value for run in runs} == {"success"}
            assert all(run.finished_at is not None and run.operations == len(steps) for run in runs)
            for run in runs:
                log = await store.get_activity(account, run.id)
                assert [entry.step for entry in log] == steps, (run.id, log)
                n = run.trigger_input["body"]["id"]
                assert log[1].output == {"id": n, "double": n * 2}
            logs = await store.list_gateway_logs(account, scenario_id=sid, limit=10_000)
            assert len(logs) == REQUESTS and {log.status for log in logs} == {200}
        now = SystemClock().now()
        usage = await store.operations_by_scenario(account, now - timedelta(hours=2), now + timedelta(hours=2))
        assert usage == {answered_sid: 3 * REQUESTS, queued_sid: 2 * REQUESTS}
    finally:
        await store.close()
