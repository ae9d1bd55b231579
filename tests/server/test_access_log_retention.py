"""The access log keeps no user data in its paths, rotates by size and is kept ``retention_access_log_days``
(contract sections 7 and 8): the real app on a real data dir, and ``scenarist purge --as-of``."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from scenarist.types import ManualClock
from tests.cli.test_cli import scenarist
from tests.server.conftest import PASSWORD, TEST_KEYS, register, running

API = "/api/v1"
KEY = "ada.lovelace@example.com/diary 1843"
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def log_files(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.glob("access.log*") if not p.name.endswith((".lock", ".tmp")))


def entries(data_dir: Path, name: str = "access.log") -> list[dict[str, Any]]:
    return [json.loads(line) for line in (data_dir / name).read_text().splitlines()]


def flush(app: FastAPI) -> None:
    app.state.runtime.access_log.flush()


async def test_a_record_key_is_logged_as_the_route_template(tmp_path: Path) -> None:
    async with running(tmp_path) as (app, client):
        auth = await register(client)
        store = (await client.post(f"{API}/data-stores", headers=auth,
                                   json={"name": "D", "structure": [{"name": "n", "type": "text"}]})).json()
        path = f"{API}/data-stores/{store['id']}/records/{KEY}"
        assert (await client.put(path, json={"data": {"n": "x"}}, headers=auth)).status_code == 200
        assert (await client.get(path, headers=auth)).status_code == 200
        assert (await client.get(f"{API}/data-stores/nope/records/{KEY}", headers=auth)).status_code == 404
        assert (await client.delete(path, headers=auth)).status_code == 204
        flush(app)
    data_dir = tmp_path / "data"
    templated = [e for e in entries(data_dir) if "/records/" in e["path"]]
    assert [(e["method"], e["path"]) for e in templated] == [
        (method, "/api/v1/data-stores/{data_store_id}/records/{key}") for method in ("PUT", "GET", "GET", "DELETE")]
    text = (data_dir / "access.log").read_text()
    assert "ada.lovelace" not in text and "diary" not in text


async def test_other_paths_are_logged_as_they_are(tmp_path: Path) -> None:
    async with running(tmp_path) as (app, client):
        auth = await register(client)
        assert (await client.get(f"{API}/data-stores", headers=auth)).status_code == 200
        flush(app)
    assert f"{API}/data-stores" in [e["path"] for e in entries(tmp_path / "data")]


async def test_the_log_rotates_by_size_and_keeps_the_configured_number_of_files(tmp_path: Path) -> None:
    async with running(tmp_path, access_log_max_bytes=2048, access_log_files=2) as (app, client):
        for n in range(60):
            await client.get(f"{API}/healthz", params={"n": n}, headers={"User-Agent": "rotation " + "x" * 100})
            flush(app)
    data_dir = tmp_path / "data"
    assert log_files(data_dir) == ["access.log", "access.log.1", "access.log.2"]
    for name in log_files(data_dir):
        assert (data_dir / name).stat().st_size <= 2048
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600
    newest, older = entries(data_dir), entries(data_dir, "access.log.1")
    assert older[-1]["time"] <= newest[0]["time"]


async def test_the_hourly_purge_deletes_entries_older_than_the_window(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with running(tmp_path, clock=clock, access_log_max_bytes=2048) as (app, client):
        for _ in range(30):
            await client.get(f"{API}/healthz", headers={"User-Agent": "old " + "x" * 100})
            flush(app)
        clock.advance(timedelta(days=20))
        await client.get(f"{API}/healthz", headers={"User-Agent": "recent"})
        runtime = app.state.runtime
        clock.set(START + timedelta(days=30) - timedelta(seconds=1))
        assert (await runtime.purge())["access_log"] == 0
        clock.set(START + timedelta(days=30, seconds=1))
        assert (await runtime.purge())["access_log"] == 30
    data_dir = tmp_path / "data"
    assert log_files(data_dir) == ["access.log"]
    assert [e["user_agent"] for e in entries(data_dir)] == ["recent"]


async def test_a_window_set_shorter_purges_sooner(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with running(tmp_path, clock=clock, retention_access_log_days=1) as (app, client):
        await client.get(f"{API}/healthz")
        clock.advance(timedelta(days=1, seconds=1))
        assert (await app.state.runtime.purge())["access_log"] == 1


async def test_scenarist_purge_applies_the_access_log_window_as_of_its_date(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with running(tmp_path, clock=clock) as (_, client):
        await client.get(f"{API}/healthz")
        clock.advance(timedelta(days=2))
        await client.get(f"{API}/healthz", headers={"User-Agent": "later"})
    data_dir = tmp_path / "data"
    env = {"SCENARIST_SECRET_KEYS": TEST_KEYS}

    def purge(as_of: datetime) -> int:
        done = scenarist("purge", "--as-of", as_of.isoformat(), data_dir=data_dir, env=env)
        assert done.returncode == 0, done.stderr
        [line] = [line for line in done.stdout.splitlines() if line.startswith("access_log: ")]
        return int(line.split()[1])

    assert purge(START + timedelta(days=30) - timedelta(seconds=1)) == 0
    assert purge(START + timedelta(days=30, seconds=1)) == 1
    assert [e["user_agent"] for e in entries(data_dir)] == ["later"]
    assert stat.S_IMODE((data_dir / "access.log").stat().st_mode) == 0o600


def test_config_shows_the_access_log_window(tmp_path: Path) -> None:
    done = scenarist("config", data_dir=tmp_path)
    settings = json.loads(done.stdout)
    assert settings["retention_access_log_days"] == 30
    assert settings["access_log_max_bytes"] == 10 * 1024 * 1024
    assert settings["access_log_files"] == 5


# -- an erased account's entries


async def test_each_entry_names_the_account_that_made_it(tmp_path: Path) -> None:
    async with running(tmp_path) as (app, client):
        auth = await register(client)
        me = (await client.get(f"{API}/auth/me", headers=auth)).json()["id"]
        await client.get(f"{API}/healthz")
        flush(app)
    by_path = {(e["method"], e["path"]): e["account"] for e in entries(tmp_path / "data")}
    assert by_path[("POST", f"{API}/auth/register")] == me
    assert by_path[("POST", f"{API}/auth/login")] == me
    assert by_path[("GET", f"{API}/auth/me")] == me
    assert by_path[("GET", f"{API}/healthz")] is None


async def test_erasing_an_account_deletes_its_entries_from_every_log_file(tmp_path: Path) -> None:
    async with running(tmp_path, access_log_max_bytes=2048) as (app, client):
        ada = await register(client, "ada@example.com")
        ada_id = (await client.get(f"{API}/auth/me", headers=ada)).json()["id"]
        for _ in range(20):
            await client.get(f"{API}/scenarios", headers={**ada, "User-Agent": "ada's browser " + "x" * 80})
            flush(app)
        bob = await register(client, "bob@example.com")
        await client.get(f"{API}/scenarios", headers={**bob, "User-Agent": "bob's browser"})
        flush(app)
        data_dir = tmp_path / "data"
        assert len(log_files(data_dir)) > 2
        answer = await client.request("DELETE", f"{API}/account", json={"password": PASSWORD}, headers=ada)
        assert answer.status_code == 204
        flush(app)
        text = "".join((data_dir / name).read_text() for name in log_files(data_dir))
        assert ada_id not in text
        assert "ada's browser" not in text
        assert "bob's browser" in text


async def test_a_failed_erasure_keeps_the_entries(tmp_path: Path) -> None:
    async with running(tmp_path) as (app, client):
        auth = await register(client)
        answer = await client.request("DELETE", f"{API}/account", json={"password": "wrong password!"}, headers=auth)
        assert answer.status_code == 403
        flush(app)
    assert any(e["path"] == f"{API}/account" and e["status"] == 403 and e["account"] for e in
               entries(tmp_path / "data"))
