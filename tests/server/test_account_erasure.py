"""The account's data: export without secrets, and erasure of every row (contract section 5)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx

from scenarist.server.security import SESSION_COOKIE
from tests.server.conftest import PASSWORD, login, register, running

API = "/api/v1"
ADA, BOB = "ada@example.com", "bob@example.com"

HOOKED = {
    "name": "Shape and answer",
    "trigger": {"id": "hook", "module": "webhooks.custom"},
    "schedule": {"type": "immediately"},
    "flow": [
        {"id": "shape", "module": "tools.set_variables", "params": {"variables": {"name": "{{ hook.body.name }}"}}},
        {"id": "answer", "module": "webhooks.respond", "params": {"body": "{{ shape }}"}},
    ],
}
FAILING = {
    "name": "Calls nowhere",
    "trigger": {"id": "hook", "module": "webhooks.custom"},
    "schedule": {"type": "on_demand"},
    "flow": [{"id": "call", "module": "http.request", "params": {"method": "GET", "url": "http://127.0.0.1:9/"}}],
}

CONTACTS = {"name": "Contacts", "structure": [{"name": "name", "type": "text"}]}


async def populate(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    """Give the account a row in every kind of table: scenarios, runs, activity, gateway logs, incomplete runs,
    data stores and their records."""
    hooked = (await client.post(f"{API}/scenarios", json=HOOKED, headers=auth)).json()
    await client.post(f"{API}/scenarios/{hooked['id']}/activate", headers=auth)
    hook = hooked["webhook_url"].replace("http://127.0.0.1:8000", "")
    assert (await client.post(hook, json={"name": "Ada Lovelace"})).status_code == 200
    await client.post(f"{API}/scenarios/{hooked['id']}/run?wait=true", json={"input": {"name": "x"}}, headers=auth)
    failing = (await client.post(f"{API}/scenarios", json=FAILING, headers=auth)).json()
    await client.post(f"{API}/scenarios/{failing['id']}/run?wait=true", json={"input": {}}, headers=auth)
    store = (await client.post(f"{API}/data-stores", json=CONTACTS, headers=auth)).json()
    record = await client.put(f"{API}/data-stores/{store['id']}/records/ada", json={"data": {"name": "Ada L."}},
                              headers=auth)
    assert record.status_code == 200, record.text
    await settled(client, auth, hooked["id"], 2)
    await logged(client, auth, hooked["id"])


async def settled(client: httpx.AsyncClient, auth: dict[str, str], sid: str, count: int) -> None:
    deadline = asyncio.get_running_loop().time() + 30
    while asyncio.get_running_loop().time() < deadline:
        found = (await client.get(f"{API}/scenarios/{sid}/executions", headers=auth)).json()
        if len([e for e in found if e["status"] not in ("queued", "running")]) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("executions did not finish")


async def logged(client: httpx.AsyncClient, auth: dict[str, str], sid: str) -> None:
    """Wait until the webhook request is in the gateway log (written in batches after the answer)."""
    deadline = asyncio.get_running_loop().time() + 30
    while asyncio.get_running_loop().time() < deadline:
        if (await client.get(f"{API}/scenarios/{sid}/gateway-log", headers=auth)).json():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the webhook request was not logged")


def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "scenarist.db"


def count_rows(db: Path) -> dict[str, int]:
    """Rows in every table of the SQLite file (read-only; the app may be running)."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables
                if not t.startswith("sqlite_")}


async def gateway_logs_written(db: Path, count: int) -> None:
    """Gateway log entries are written in the background; wait until ``count`` are in."""
    for _ in range(300):
        if count_rows(db)["gateway_logs"] >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("gateway log entries were not written")


def file_bytes(db: Path) -> bytes:
    """The SQLite file after its WAL is checkpointed into it (the app must be stopped)."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


async def erase(client: httpx.AsyncClient, auth: dict[str, str], password: str = PASSWORD) -> httpx.Response:
    return await client.request("DELETE", f"{API}/account", json={"password": password}, headers=auth)


# -- export


async def test_export_holds_the_accounts_data_and_no_secret(tmp_path: Path) -> None:
    async with running(tmp_path) as (_, client):
        auth = await register(client, ADA)
        await populate(client, auth)
        csrf = await login(client, ADA)
        session_id = client.cookies[SESSION_COOKIE]
        answer = await client.get(f"{API}/account/export", headers=auth)
    assert answer.status_code == 200
    export = answer.json()
    text = json.dumps(export)
    assert export["account"]["email"] == ADA
    assert {s["name"] for s in export["scenarios"]} == {"Shape and answer", "Calls nowhere"}
    assert [t["name"] for t in export["tokens"]] == ["tests"]
    [contacts] = export["data_stores"]
    assert (contacts["name"], [(r["key"], r["data"]) for r in contacts["records"]]) == (
        "Contacts", [("ada", {"name": "Ada L."})])
    assert "Ada Lovelace" in text
    token = auth["Authorization"].removeprefix("Bearer ")
    secrets = [PASSWORD, token, hashlib.sha256(token.encode()).hexdigest(), csrf, session_id,
               hashlib.sha256(session_id.encode()).hexdigest(), "$argon2id$"]
    assert [s for s in secrets if s in text] == []


async def test_export_needs_authentication(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{API}/account/export")).status_code == 401


# -- erasure


async def test_erasure_removes_every_row_of_the_account_and_nothing_else(tmp_path: Path) -> None:
    db = database(tmp_path)
    async with running(tmp_path) as (_, client):
        bob = await register(client, BOB)
        await populate(client, bob)
        await gateway_logs_written(db, 1)
        only_bob = count_rows(db)
        ada = await register(client, ADA)
        await populate(client, ada)
        await gateway_logs_written(db, 2)
        both = count_rows(db)
        assert (await erase(client, ada)).status_code == 204
        after = count_rows(db)
    grown = {t for t in both if both[t] > only_bob[t]}
    assert grown >= {"accounts", "sessions", "api_tokens", "scenarios", "executions", "activity_batches",
                     "gateway_logs", "incomplete", "notifications", "data_stores", "data_records"}
    assert after == only_bob


async def test_erased_email_is_nowhere_in_the_database_file(tmp_path: Path) -> None:
    async with running(tmp_path) as (_, client):
        bob = await register(client, BOB)
        ada = await register(client, ADA)
        await populate(client, ada)
        assert (await erase(client, ada)).status_code == 204
        assert (await client.get(f"{API}/auth/me", headers=bob)).status_code == 200
    content = file_bytes(database(tmp_path))
    assert ADA.encode() not in content
    assert BOB.encode() in content


async def test_erasure_ends_the_accounts_sessions_and_tokens(tmp_path: Path) -> None:
    async with running(tmp_path) as (_, client):
        token = await register(client, ADA)
        csrf = await login(client, ADA)
        answer = await client.request("DELETE", f"{API}/account", json={"password": PASSWORD},
                                      headers={"X-CSRF-Token": csrf})
        assert answer.status_code == 204
        assert any(c.startswith(SESSION_COOKIE + "=;") for c in answer.headers.get_list("set-cookie"))
        cookie_me = await client.get(f"{API}/auth/me")
        token_me = await client.get(f"{API}/auth/me", headers=token)
        login_again = await client.post(f"{API}/auth/login", json={"email": ADA, "password": PASSWORD})
    assert (cookie_me.status_code, token_me.status_code, login_again.status_code) == (401, 401, 401)


async def test_another_account_is_untouched(tmp_path: Path) -> None:
    async with running(tmp_path) as (_, client):
        bob = await register(client, BOB)
        await populate(client, bob)
        await gateway_logs_written(database(tmp_path), 1)
        ada = await register(client, ADA)
        before: dict[str, Any] = (await client.get(f"{API}/account/export", headers=bob)).json()
        assert (await erase(client, ada)).status_code == 204
        after = (await client.get(f"{API}/account/export", headers=bob)).json()
        await login(client, BOB)
    before.pop("sessions")
    after.pop("sessions")
    assert after == before


async def test_a_wrong_password_erases_nothing(tmp_path: Path) -> None:
    async with running(tmp_path) as (_, client):
        ada = await register(client, ADA)
        answer = await erase(client, ada, "not my password")
        assert answer.status_code == 403
        assert answer.json()["error"]["path"] == "password"
        assert (await client.get(f"{API}/auth/me", headers=ada)).status_code == 200


async def test_erasure_needs_the_csrf_token_with_a_cookie(client: httpx.AsyncClient) -> None:
    await register(client, ADA)
    await login(client, ADA)
    answer = await client.request("DELETE", f"{API}/account", json={"password": PASSWORD})
    assert answer.status_code == 403
    assert (await client.get(f"{API}/auth/me")).status_code == 200
