"""``public_url`` defaults to ``http://{--host}:{--port}`` of ``serve``; ``SCENARIST_PUBLIC_URL`` wins."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.serve_process import register, serve

ANSWERING = {
    "name": "Answers",
    "trigger": {"id": "hook", "module": "webhooks.custom"},
    "schedule": {"type": "immediately"},
    "flow": [{"id": "answer", "module": "webhooks.respond", "params": {"body": {"got": "{{ hook.body.n }}"}}}],
}


def test_webhook_urls_use_the_port_serve_listens_on(tmp_path: Path) -> None:
    with serve(tmp_path / "data") as server, server.client() as http:
        auth = register(http)
        created = http.post("/api/v1/scenarios", json=ANSWERING, headers=auth)
        assert created.status_code == 201, created.text
        scenario = created.json()
        assert scenario["webhook_url"].startswith(f"http://127.0.0.1:{server.port}/hooks/")
        assert http.post(f"/api/v1/scenarios/{scenario['id']}/activate", headers=auth).status_code == 200
        answer = httpx.post(scenario["webhook_url"], json={"n": 7}, timeout=30)
    assert (answer.status_code, answer.json()) == (200, {"got": 7})


def test_scenarist_public_url_wins_over_host_and_port(tmp_path: Path) -> None:
    env = {"SCENARIST_PUBLIC_URL": "https://automations.example.com"}
    with serve(tmp_path / "data", env=env) as server, server.client() as http:
        auth = register(http)
        created = http.post("/api/v1/scenarios", json=ANSWERING, headers=auth)
    assert created.json()["webhook_url"].startswith("https://automations.example.com/hooks/")
