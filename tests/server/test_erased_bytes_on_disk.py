"""Erased data leaves no byte in any file of the data dir, while the server runs (contract sections 5, 7).

On SQLite ``secure_delete`` zeroes what a delete removed from the database file, and a WAL checkpoint
(``TRUNCATE``) after the erasure and after a connection's deletion removes the pages' older versions from the
WAL. The app runs on a real data dir; its files are read as they are, the app still running.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import httpx

from tests.server.conftest import PASSWORD, register, running

API = "/api/v1"
EMAIL = "erased.canary.7f3a@example.com"
CONNECTION_NAME = "canary connection 9b41"
TOKEN = "canary-bearer-token-5d2e8c"


def files_holding(data_dir: Path, needle: bytes) -> list[str]:
    """Every file under ``data_dir`` whose bytes contain ``needle``."""
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*") if p.is_file() and needle in p.read_bytes())


def sealed(db: Path, connection_id: str) -> bytes:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        row = conn.execute("SELECT secrets FROM connections WHERE id = ?", (connection_id,)).fetchone()
    return bytes(row[0])


async def connect(client: httpx.AsyncClient, auth: dict[str, str]) -> str:
    answer = await client.post(f"{API}/connections", headers=auth, json={
        "type": "http.bearer", "name": CONNECTION_NAME, "fields": {"token": TOKEN}})
    assert answer.status_code == 201, answer.text
    connection_id: str = answer.json()["id"]
    return connection_id


async def test_an_erased_accounts_email_is_in_no_file_of_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    async with running(tmp_path) as (_, client):
        auth = await register(client, EMAIL)
        await connect(client, auth)
        assert files_holding(data_dir, EMAIL.encode()) != []
        answer = await client.request("DELETE", f"{API}/account", json={"password": PASSWORD}, headers=auth)
        assert answer.status_code == 204, answer.text
        assert files_holding(data_dir, EMAIL.encode()) == []
        assert files_holding(data_dir, CONNECTION_NAME.encode()) == []
        assert (data_dir / "scenarist.db-wal").stat().st_size == 0


async def test_a_deleted_connections_sealed_secret_is_in_no_file_of_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    async with running(tmp_path) as (_, client):
        auth = await register(client)
        connection_id = await connect(client, auth)
        secret = sealed(data_dir / "scenarist.db", connection_id)
        assert files_holding(data_dir, secret) != []
        assert (await client.delete(f"{API}/connections/{connection_id}", headers=auth)).status_code == 204
        assert files_holding(data_dir, secret) == []
        assert files_holding(data_dir, CONNECTION_NAME.encode()) == []
        assert files_holding(data_dir, TOKEN.encode()) == []


async def test_secure_delete_is_on_for_the_servers_connections(tmp_path: Path) -> None:
    async with running(tmp_path) as (app, _):
        store = app.state.runtime.store
        async with store.engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA secure_delete")).scalar() == 1
