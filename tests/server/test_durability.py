"""Durability of a real ``scenarist serve`` process (contract sections 2 and 6).

- SIGKILL in the middle of a webhook flood: after a restart on the same data
  directory every request that was answered 2xx has run exactly once, and
  successfully; nothing ran twice.
- SIGTERM (and SIGINT) drain the runs in flight: the process exits 0 and the
  run is finished, not left queued or running for the next start.
- In process: a clean shutdown neither loses gateway-log entries it was
  writing nor leaves accepted retries running after the store is closed.

Every test here is named ``test_durability_*`` (select them with
``-k durability``); they need no external service, only 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import pytest

from scenarist.store.factory import open_store
from tests.server.conftest import TEST_KEYS, make_settings, register, running

API = "/api/v1"
START_SECONDS = 60.0
FLOOD_TOTAL = 300
KILL_AFTER = 150
SENDERS = 8


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """One ``python -m scenarist serve`` subprocess on 127.0.0.1; only this object's PID is ever signalled."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {key: value for key, value in os.environ.items() if not key.startswith("SCENARIST_")}
        env |= {"SCENARIST_SECRET_KEYS": TEST_KEYS, "SCENARIST_PUBLIC_URL": self.url}
        self.log = log
        self._out = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scenarist", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(data_dir)],
            env=env, stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT,
        )

    async def ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise AssertionError(f"serve exited with {self.process.returncode}: {self.output()}")
                with suppress(httpx.HTTPError):
                    if (await http.get(f"{API}/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise AssertionError(f"serve did not answer within {START_SECONDS} s: {self.output()}")

    def signal(self, sig: signal.Signals) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def output(self) -> str:
        if not self._out.closed:
            self._out.flush()
        return self.log.read_text(errors="replace")[-4000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self._out.close()


@contextmanager
def serve(data_dir: Path, log: Path) -> Iterator[Server]:
    server = Server(data_dir, log)
    try:
        yield server
    finally:
        server.close()


def hook_definition(name: str, *flow: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "trigger": {"id": "hook", "module": "webhooks.custom"},
            "schedule": {"type": "immediately"}, "flow": list(flow)}


async def create(http: httpx.AsyncClient, auth: dict[str, str], definition: dict[str, Any],
                 *, active: bool) -> dict[str, Any]:
    created = await http.post(f"{API}/scenarios", json=definition, headers=auth)
    assert created.status_code == 201, created.text
    if active:
        assert (await http.post(f"{API}/scenarios/{created.json()['id']}/activate", headers=auth)).status_code == 200
    scenario: dict[str, Any] = created.json()
    return scenario


async def executions(http: httpx.AsyncClient, auth: dict[str, str], sid: str) -> list[dict[str, Any]]:
    answer = await http.get(f"{API}/scenarios/{sid}/executions", params={"limit": 10_000}, headers=auth)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


async def settled(http: httpx.AsyncClient, auth: dict[str, str], sid: str, seconds: float) -> list[dict[str, Any]]:
    """The scenario's executions once none is queued or running."""
    deadline = time.monotonic() + seconds
    while True:
        found = await executions(http, auth, sid)
        busy = [e for e in found if e["status"] in ("queued", "running")]
        if not busy:
            return found
        assert time.monotonic() < deadline, f"{len(busy)} executions still queued or running: {busy[:5]}"
        await asyncio.sleep(0.2)


async def reaches(http: httpx.AsyncClient, auth: dict[str, str], execution_id: str, status: str,
                  seconds: float = 10) -> None:
    """Wait until the execution reads ``status`` (a state, not a guess at how long it takes)."""
    deadline = time.monotonic() + seconds
    while True:
        now = (await http.get(f"{API}/executions/{execution_id}", headers=auth)).json()["status"]
        if now == status:
            return
        assert time.monotonic() < deadline, f"execution {execution_id} still {now}, not {status}"
        await asyncio.sleep(0.02)


def read_executions(data_dir: Path) -> dict[str, tuple[str, Any]]:
    """Execution id -> (status, trigger input), read straight from the SQLite file (read-only) of a stopped server."""
    database = sqlite3.connect(f"file:{data_dir / 'scenarist.db'}?mode=ro", uri=True)
    try:
        rows = database.execute("SELECT id, status, trigger_input FROM executions").fetchall()
    finally:
        database.close()
    return {ident: (status, json.loads(text) if text else None) for ident, status, text in rows}


# -- SIGKILL in the middle of a webhook flood


async def flood(server: Server, url: str) -> tuple[set[str], int]:
    """POST FLOOD_TOTAL requests with unique ids from SENDERS tasks; SIGKILL the server after KILL_AFTER answers.

    The ids that were answered 2xx, and how many requests got an answer at all.
    """
    pending = iter(f"req-{n:04d}" for n in range(FLOOD_TOTAL))
    acknowledged: set[str] = set()
    answered = 0
    killed = asyncio.Event()

    async def sender(http: httpx.AsyncClient) -> None:
        nonlocal answered
        for request_id in pending:
            if killed.is_set():
                return
            try:
                answer = await http.post(url, json={"id": request_id})
            except httpx.HTTPError:
                continue  # in flight when the server died: no answer, no promise
            answered += 1
            if 200 <= answer.status_code < 300:
                acknowledged.add(request_id)
            if answered >= KILL_AFTER and not killed.is_set():
                server.signal(signal.SIGKILL)
                killed.set()

    limits = httpx.Limits(max_connections=SENDERS, max_keepalive_connections=SENDERS)
    async with httpx.AsyncClient(timeout=15, limits=limits) as http:
        await asyncio.wait_for(asyncio.gather(*(sender(http) for _ in range(SENDERS))), 180)
    return acknowledged, answered


async def test_durability_sigkill_mid_flood_runs_every_acknowledged_webhook_exactly_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    flow = [{"id": "wait", "module": "tools.sleep", "params": {"seconds": 0.05}},
            {"id": "echo", "module": "tools.set_variables", "params": {"variables": {"id": "{{ hook.body.id }}"}}}]
    with serve(data_dir, tmp_path / "first.log") as first:
        await first.ready()
        async with httpx.AsyncClient(base_url=first.url, timeout=15) as http:
            auth = await register(http, "durable@example.com")
            scenario = await create(http, auth, hook_definition("flood", *flow), active=True)
        acknowledged, answered = await flood(first, scenario["webhook_url"])
        assert first.wait(timeout=30) == -signal.SIGKILL
    at_kill = read_executions(data_dir)
    stored = {trigger["body"]["id"] for _, trigger in at_kill.values() if trigger}
    print(f"answered {answered}, acknowledged {len(acknowledged)}, "
          f"stored at the kill {dict(Counter(status for status, _ in at_kill.values()))}")
    assert sorted(acknowledged - stored) == [], "answered 2xx but not in the database when the process died"
    assert len(acknowledged) >= KILL_AFTER - SENDERS, (len(acknowledged), answered)
    assert answered < FLOOD_TOTAL, "the server was killed after every request had its answer: nothing was tested"

    with serve(data_dir, tmp_path / "second.log") as second:
        await second.ready()
        async with httpx.AsyncClient(base_url=second.url, timeout=15) as http:
            login = await http.post(f"{API}/auth/login", json={"email": "durable@example.com",
                                                               "password": "correct horse battery"})
            assert login.status_code == 200, login.text
            token = await http.post(f"{API}/tokens", json={"name": "after"},
                                    headers={"X-CSRF-Token": login.json()["csrf_token"]})
            http.cookies.clear()
            auth = {"Authorization": f"Bearer {token.json()['token']}"}
            found = await settled(http, auth, scenario["id"], seconds=120)
            details = [(await http.get(f"{API}/executions/{e['id']}", headers=auth)).json() for e in found]

    ran: Counter[str] = Counter()
    problems = []
    for detail in details:
        log = detail["log"]
        request_id = log[0]["output"]["body"]["id"] if log and log[0].get("output") else None
        ran[str(request_id)] += 1
        if detail["status"] != "success":
            problems.append(f"{request_id}: {detail['status']} {detail.get('error')}")
        if [entry["step"] for entry in log] != ["hook", "wait", "echo"] or log[-1].get("output") != {"id": request_id}:
            problems.append(f"{request_id}: activity {[(e['step'], e['status']) for e in log]}")
    assert sorted(acknowledged - set(ran)) == [], "acknowledged requests without an execution"
    assert [request_id for request_id, count in ran.items() if count > 1] == [], "requests that ran twice"
    assert "None" not in ran, "executions whose trigger output has no request id"
    assert problems == [], "\n".join(problems[:20])


# -- SIGTERM and SIGINT drain the runs in flight


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_durability_signal_drains_the_run_in_flight(tmp_path: Path, sig: signal.Signals) -> None:
    data_dir = tmp_path / "data"
    slow = {"id": "wait", "module": "tools.sleep", "params": {"seconds": 2}}
    with serve(data_dir, tmp_path / "first.log") as first:
        await first.ready()
        async with httpx.AsyncClient(base_url=first.url, timeout=15) as http:
            auth = await register(http, "drain@example.com")
            scenario = await create(http, auth, hook_definition("slow", slow), active=True)
            started = await http.post(f"{API}/scenarios/{scenario['id']}/run", json={"input": {"n": 1}}, headers=auth)
            assert started.status_code == 202, started.text
            execution_id = started.json()["execution_id"]
            await reaches(http, auth, execution_id, "running")  # nothing else is queued, and it takes 2 s
        signalled = time.monotonic()
        first.signal(sig)
        code = first.wait(timeout=40)
        took = time.monotonic() - signalled
        assert code == 0, f"exit code {code}: {first.output()}"
        assert 1.0 < took < 35, took  # it waited for the run (about 1.5 s left), within the drain window
    assert read_executions(data_dir)[execution_id][0] == "success", "the drained run is not finished in the database"

    with serve(data_dir, tmp_path / "second.log") as second:
        await second.ready()
        async with httpx.AsyncClient(base_url=second.url, timeout=15) as http:
            login = await http.post(f"{API}/auth/login", json={"email": "drain@example.com",
                                                               "password": "correct horse battery"})
            assert login.status_code == 200, login.text
            detail = (await http.get(f"{API}/executions/{execution_id}")).json()
    assert detail["status"] == "success", detail
    assert detail["finished_at"] is not None
    assert [(entry["step"], entry["status"]) for entry in detail["log"]] == [("hook", "success"), ("wait", "success")]
    assert "requeued" not in second.output(), "the restart found the drained run still running"


# -- clean shutdown, in process


async def test_durability_clean_shutdown_keeps_the_gateway_log_it_is_writing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(tmp_path) as (app, http):
        auth = await register(http)
        account = (await http.get(f"{API}/auth/me", headers=auth)).json()["id"]
        scenario = await create(http, auth, hook_definition("logged"), active=False)
        store = app.state.runtime.store
        write = store.add_gateway_logs
        writing = asyncio.Event()

        async def slow_write(records: Any) -> None:  # a large batch on a busy disk
            writing.set()
            await asyncio.sleep(0.5)
            await write(records)

        monkeypatch.setattr(store, "add_gateway_logs", slow_write)
        answer = await http.post(scenario["webhook_url"].removeprefix("http://127.0.0.1:8000"), json={"n": 1})
        assert answer.status_code == 200, answer.text
        await asyncio.wait_for(writing.wait(), 5)  # the timer's flush has the entry: now stop
    reopened = await open_store(make_settings(tmp_path).effective_database_url())
    try:
        logs = await reopened.list_gateway_logs(account, scenario_id=scenario["id"])
    finally:
        await reopened.close()
    assert len(logs) == 1


async def test_durability_clean_shutdown_waits_for_accepted_retries(tmp_path: Path) -> None:
    flow = [{"id": "parse", "module": "json.parse", "params": {"json": "{{ hook.body.text }}"}}]
    leaked: list[str] = []
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: leaked.append(repr(unraisable.exc_value))
    try:
        async with running(tmp_path) as (app, http):
            auth = await register(http)
            scenario = await create(http, auth, hook_definition("retry", *flow), active=False)
            run = await http.post(f"{API}/scenarios/{scenario['id']}/run?wait=true", json={"input": {"text": "{"}},
                                  headers=auth)
            assert run.json()["status"] == "incomplete", run.text
            [incomplete] = (await http.get(f"{API}/incomplete-executions", headers=auth)).json()
            retry = await http.post(f"{API}/incomplete-executions/{incomplete['id']}/retry", headers=auth)
            assert retry.status_code == 202, retry.text
        outliving = [task for task in asyncio.all_tasks()
                     if getattr(task.get_coro(), "__qualname__", "") == "Engine.retry_incomplete"]
        if outliving:  # let them end here, so that what they leak is collected under this test's hook
            await asyncio.wait(outliving, timeout=10)
            await app.state.runtime.store.close()
        for _ in range(3):
            gc.collect()
            await asyncio.sleep(0)
    finally:
        sys.unraisablehook = hook
    assert outliving == [], "retry tasks still running after shutdown"
    assert leaked == []


async def test_durability_run_in_progress_reads_running(tmp_path: Path) -> None:
    slow = {"id": "wait", "module": "tools.sleep", "params": {"seconds": 1}}
    async with running(tmp_path) as (_, http):
        auth = await register(http)
        scenario = await create(http, auth, hook_definition("slow", slow), active=True)
        started = await http.post(f"{API}/scenarios/{scenario['id']}/run", json={}, headers=auth)
        await reaches(http, auth, started.json()["execution_id"], "running")  # the single read says running
        listed = [e["status"] for e in await executions(http, auth, scenario["id"])]  # and so does the list
        await settled(http, auth, scenario["id"], seconds=10)
    assert listed == ["running"]
