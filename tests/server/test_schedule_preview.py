"""``POST /schedule/preview``: a schedule's next five runs, as the scheduler would fire them; 422 with the path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from scenarist.types import ManualClock
from tests.server.conftest import register, running

API = "/api/v1"
NOW = datetime(2026, 3, 27, 10, 30, tzinfo=UTC)  # a Friday; Prague moves to summer time on Sunday the 29th


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    async with running(tmp_path, clock=ManualClock(NOW)) as (_app, client):
        yield client, await register(client)


async def preview(served: tuple[httpx.AsyncClient, dict[str, str]], schedule: object) -> httpx.Response:
    client, auth = served
    return await client.post(f"{API}/schedule/preview", json={"schedule": schedule}, headers=auth)


async def test_cron_gives_the_next_five_runs_in_its_zone(served: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    answer = await preview(served, {"type": "cron", "expression": "0 9 * * 1-5", "timezone": "Europe/Prague"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["next"] == [
        "2026-03-30T09:00:00+02:00", "2026-03-31T09:00:00+02:00", "2026-04-01T09:00:00+02:00",
        "2026-04-02T09:00:00+02:00", "2026-04-03T09:00:00+02:00",
    ]
    assert "0 9 * * 1-5" in answer.json()["text"]


async def test_cron_without_a_zone_runs_in_utc(served: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    answer = await preview(served, {"type": "cron", "expression": "*/15 * * * *"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["next"][:2] == ["2026-03-27T10:45:00+00:00", "2026-03-27T11:00:00+00:00"]


async def test_interval_runs_from_activation_every_n_minutes(served: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    answer = await preview(served, {"type": "interval", "minutes": 90})
    assert answer.status_code == 200, answer.text
    assert answer.json()["next"] == [
        "2026-03-27T10:30:00+00:00", "2026-03-27T12:00:00+00:00", "2026-03-27T13:30:00+00:00",
        "2026-03-27T15:00:00+00:00", "2026-03-27T16:30:00+00:00",
    ]
    assert answer.json()["text"] == "Every 90 minutes, from activation"


@pytest.mark.parametrize("kind", ["immediately", "on_demand"])
async def test_schedules_without_times_have_no_next_runs(served: tuple[httpx.AsyncClient, dict[str, str]],
                                                         kind: str) -> None:
    answer = await preview(served, {"type": kind})
    assert answer.status_code == 200, answer.text
    assert answer.json()["next"] == []
    assert answer.json()["text"]


async def test_a_bad_cron_expression_names_its_path(served: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    answer = await preview(served, {"type": "cron", "expression": "61 * * * *", "timezone": "UTC"})
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == "schedule.expression"


async def test_a_cron_expression_that_never_runs_is_refused(served: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    answer = await preview(served, {"type": "cron", "expression": "0 0 31 2 *"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["path"] == "schedule.expression"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "/etc/localtime", ""])
async def test_an_unknown_zone_names_its_path(served: tuple[httpx.AsyncClient, dict[str, str]], zone: str) -> None:
    answer = await preview(served, {"type": "cron", "expression": "0 9 * * *", "timezone": zone})
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == "schedule.timezone"


async def test_an_interval_out_of_range_is_refused(served: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    answer = await preview(served, {"type": "interval", "minutes": 0})
    assert answer.status_code == 422
    assert answer.json()["error"]["path"].startswith("schedule")


async def test_the_preview_needs_a_login(served: tuple[httpx.AsyncClient, dict[str, str]]) -> None:
    client, _auth = served
    answer = await client.post(f"{API}/schedule/preview", json={"schedule": {"type": "on_demand"}})
    assert answer.status_code == 401
