"""``/metrics`` only to loopback clients or with ``SCENARIST_METRICS_TOKEN`` as a bearer token; webhook 413 and
429 answers are counted there."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from scenarist.server import gateway
from scenarist.settings import Settings
from tests.cli.test_cli import scenarist
from tests.server.conftest import client_to, running
from tests.server.test_gateway import hook_scenario, make_hook

TOKEN = "metrics-token-7f3a9c21"
PATHS = ("/metrics", "/api/v1/metrics")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("ip", ["127.0.0.1", "127.3.4.5", "::1", "::ffff:127.0.0.1"])
async def test_loopback_clients_get_the_metrics(app: FastAPI, path: str, ip: str) -> None:
    async with client_to(app, ip=ip) as local:
        answer = await local.get(path)
    assert answer.status_code == 200
    assert "scenarist_runs" in answer.text


@pytest.mark.parametrize("path", PATHS)
async def test_other_clients_get_404(app: FastAPI, path: str) -> None:
    async with client_to(app, ip="203.0.113.9") as remote:
        answer = await remote.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 404
    assert "scenarist_" not in answer.text


async def test_a_loopback_peer_passing_on_a_proxied_request_gets_404(app: FastAPI) -> None:
    async with client_to(app, ip="127.0.0.1") as local:
        answer = await local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.status_code == 404


@pytest.mark.parametrize("path", PATHS)
async def test_the_configured_token_opens_the_metrics_to_anyone(tmp_path: Path, path: str) -> None:
    async with running(tmp_path, metrics_token=TOKEN) as (app, _), client_to(app, ip="203.0.113.9") as remote:
        opened = await remote.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
        wrong = await remote.get(path, headers={"Authorization": "Bearer not-the-token"})
        none = await remote.get(path)
    assert opened.status_code == 200 and "scenarist_runs" in opened.text
    assert (wrong.status_code, wrong.headers["www-authenticate"]) == (401, "Bearer")
    assert "scenarist_" not in wrong.text
    assert none.status_code == 404


async def test_webhook_413_and_429_answers_are_counted(app: FastAPI, client: httpx.AsyncClient,
                                                       auth: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gateway, "QUEUE_LIMIT", 1)
    _, hook = await make_hook(client, auth, hook_scenario(), active=False)
    limit = app.state.runtime.settings.webhook_max_bytes
    assert (await client.post(hook, content=b"x" * (limit + 1))).status_code == 413
    assert [(await client.post(hook, json={})).status_code for _ in range(3)] == [200, 429, 429]
    text = (await client.get("/metrics")).text
    assert 'scenarist_webhook_requests_total{status="413"} 1.0' in text
    assert 'scenarist_webhook_requests_total{status="429"} 2.0' in text
    assert 'scenarist_webhook_requests_total{status="200"} 1.0' in text


def test_the_token_is_redacted_in_the_settings() -> None:
    assert Settings(metrics_token=TOKEN).redacted()["metrics_token"] == "**********"
    assert Settings().redacted()["metrics_token"] is None


def test_scenarist_config_redacts_the_token(tmp_path: Path) -> None:
    done = scenarist("config", data_dir=tmp_path, env={"SCENARIST_METRICS_TOKEN": TOKEN})
    assert json.loads(done.stdout)["metrics_token"] == "**********"
    assert TOKEN not in done.stdout
