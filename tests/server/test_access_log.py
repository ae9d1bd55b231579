"""The access log: one JSON line per request in data_dir/access.log (contract section 7)."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from scenarist.server.app import create_app
from scenarist.server.runtime import Runtime
from scenarist.server.security import SecurityMiddleware
from scenarist.types import ManualClock
from tests.server.conftest import client_to, lifespan, make_settings, running

BROWSER = {
    "User-Agent": "Mozilla/5.0 (tests)",
    "Referer": "https://app.example.com/scenarios/7?token=secret#frag",
    "Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8",
}


def read_log(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (tmp_path / "data" / "access.log").read_text().splitlines()]


async def requests_from(tmp_path: Path, ip: str, headers: dict[str, str], **settings: Any) -> list[dict[str, Any]]:
    """Send one request from ``ip`` with ``headers``, shut the app down; the log's lines."""
    app = create_app(make_settings(tmp_path, **settings))
    async with lifespan(app), client_to(app, ip=ip) as client:
        await client.get("/api/v1/healthz", headers=headers)
    return read_log(tmp_path)


async def test_a_request_is_recorded_with_every_field(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock) as (_, client):
        await client.get("/api/v1/healthz?verbose=1", headers=BROWSER)
    [line] = read_log(tmp_path)
    assert line["ip"] == "127.0.0.1"
    assert line["user_agent"] == "Mozilla/5.0 (tests)"
    assert line["locale"] == "fr-CH, fr;q=0.9, en;q=0.8"
    assert line["time"] == clock.now().isoformat()
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/v1/healthz", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


async def test_the_referrer_is_kept_without_its_query_string(tmp_path: Path) -> None:
    [line] = await requests_from(tmp_path, "127.0.0.1", BROWSER)
    assert line["referrer"] == "https://app.example.com/scenarios/7"


async def test_the_referrer_loses_its_credentials_too(tmp_path: Path) -> None:
    [line] = await requests_from(tmp_path, "127.0.0.1", {"Referer": "https://u:p@example.com/a?b=c"})
    assert line["referrer"] == "https://example.com/a"


async def test_missing_headers_are_recorded_as_null(tmp_path: Path) -> None:
    async with running(tmp_path) as (_, client):
        await client.get("/api/v1/healthz", headers={"User-Agent": ""})
    [line] = read_log(tmp_path)
    assert line["referrer"] is None and line["locale"] is None


async def test_errors_and_unknown_paths_are_recorded_with_their_status(tmp_path: Path) -> None:
    async with running(tmp_path) as (_, client):
        await client.get("/api/v1/auth/me")
        await client.post("/hooks/abcdefghijklmnop", json={})
        await client.get("/api/v1/nowhere")
    statuses = [(line["path"], line["status"]) for line in read_log(tmp_path)]
    assert statuses == [("/api/v1/auth/me", 401), ("/hooks/abcd...", 404), ("/api/v1/nowhere", 404)]


async def test_a_webhook_token_is_not_written_in_full(tmp_path: Path) -> None:
    async with running(tmp_path) as (_, client):
        await client.post("/hooks/abcdefghijklmnop")
    assert "abcdefghijklmnop" not in (tmp_path / "data" / "access.log").read_text()


async def test_lines_are_appended_across_restarts(tmp_path: Path) -> None:
    await requests_from(tmp_path, "127.0.0.1", {})
    assert len(await requests_from(tmp_path, "127.0.0.1", {})) == 2


async def test_the_log_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    await requests_from(tmp_path, "127.0.0.1", {})
    mode = stat.S_IMODE((tmp_path / "data" / "access.log").stat().st_mode)
    assert mode == 0o600


async def test_lines_reach_the_file_within_a_second_while_running(tmp_path: Path) -> None:
    async with running(tmp_path) as (_, client):
        await client.get("/api/v1/healthz")
        for _ in range(40):
            await asyncio.sleep(0.05)
            if (tmp_path / "data" / "access.log").exists():
                break
        assert len(read_log(tmp_path)) == 1


# -- X-Forwarded-For


FORWARDED = {"X-Forwarded-For": "203.0.113.9"}


async def test_forwarded_for_is_ignored_without_trusted_proxies(tmp_path: Path) -> None:
    [line] = await requests_from(tmp_path, "10.0.0.5", FORWARDED)
    assert line["ip"] == "10.0.0.5"


async def test_forwarded_for_is_ignored_from_an_untrusted_peer(tmp_path: Path) -> None:
    [line] = await requests_from(tmp_path, "192.0.2.1", FORWARDED, trusted_proxies="10.0.0.0/8")
    assert line["ip"] == "192.0.2.1"


async def test_forwarded_for_is_believed_from_a_trusted_proxy(tmp_path: Path) -> None:
    [line] = await requests_from(tmp_path, "10.0.0.5", FORWARDED, trusted_proxies="10.0.0.0/8, ::1")
    assert line["ip"] == "203.0.113.9"


@pytest.mark.parametrize("chain,expected", [
    ("198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
    ("10.0.0.8, 10.0.0.7", "10.0.0.5"),
    ("not-an-address", "10.0.0.5"),
])
async def test_the_nearest_untrusted_hop_is_the_client(tmp_path: Path, chain: str, expected: str) -> None:
    [line] = await requests_from(tmp_path, "10.0.0.5", {"X-Forwarded-For": chain}, trusted_proxies="10.0.0.0/8")
    assert line["ip"] == expected


def test_a_bad_trusted_proxy_setting_fails_loudly(tmp_path: Path) -> None:
    runtime = Runtime(make_settings(tmp_path, trusted_proxies="10.0.0.0/8, not-a-network"))
    with pytest.raises(ValueError, match="not-a-network"):
        SecurityMiddleware(create_app(runtime.settings), runtime=runtime)
