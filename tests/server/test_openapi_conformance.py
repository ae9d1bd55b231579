"""The OpenAPI document describes the API exactly: ``schemathesis run --checks all`` finds nothing.

A real ``scenarist serve`` (fresh data dir, free port) is registered with, an
API token made, and schemathesis' CLI run against ``/api/v1/openapi.json`` with
every check, every phase and a fixed seed, bounded by ``EXAMPLES`` per
operation (about a minute on 2 cores). The bounds and the one relaxation
(semantic validation behind ``positive_data_acceptance``) are in
``schemathesis.toml`` beside this file. The in-process tests below pin what the
run relies on, so that a regression names itself without schemathesis.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serve_process import live_server

API = "/api/v1"
EXAMPLES = 5
SEED = 1
CONFIG = Path(__file__).with_name("schemathesis.toml")
RUN_SCHEMATHESIS = "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())"


def test_schemathesis_finds_nothing_with_every_check(tmp_path: Path) -> None:
    with live_server(tmp_path) as server:
        token = server.token()
        started = time.monotonic()
        command = [
            sys.executable, "-c", RUN_SCHEMATHESIS, "--config-file", str(CONFIG), "--no-color",
            "run", f"{server.url}{API}/openapi.json", "--checks", "all", "--max-examples", str(EXAMPLES),
            "--seed", str(SEED), "--workers", "1", "--no-shrink", "--generation-database", "none",
            "--warnings", "off", "--request-timeout", "30", "--header", f"Authorization: Bearer {token}",
        ]
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "NO_COLOR": "1"}, check=False)
        seconds = time.monotonic() - started
    summary = done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, f"schemathesis failed after {seconds:.0f} s:\n{summary}"
    assert "No issues found" in done.stdout, summary
    print(f"schemathesis: {EXAMPLES} examples per operation, {seconds:.1f} s", done.stdout.strip().splitlines()[-1])


# -- what the run relies on, in process


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    found: dict[str, Any] = (await client.get(f"{API}/openapi.json")).json()
    return found


def operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"][f"{API}{path}"][method]
    return found


async def test_errors_are_described_with_the_real_error_body(document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for ops in document["paths"].values():
        for op in ops.values():
            for status, answer in op["responses"].items():
                if status.startswith("4"):
                    assert answer["content"] == {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]


async def test_each_operation_lists_the_answers_it_gives(document: dict[str, Any]) -> None:
    assert set(operation(document, "post", "/scenarios")["responses"]) == {"201", "400", "401", "403", "413", "422"}
    assert set(operation(document, "get", "/scenarios/{scenario_id}")["responses"]) == {"200", "401", "404", "422"}
    assert {"409", "429"} <= set(operation(document, "post", "/auth/register")["responses"])
    assert {"401", "429"} <= set(operation(document, "post", "/auth/login")["responses"])
    assert "401" not in operation(document, "get", "/healthz")["responses"]


async def test_security_is_declared_per_operation(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "description": schemes["bearer"]["description"]}
    assert schemes["session"]["in"] == "cookie" and schemes["csrf"]["name"] == "X-CSRF-Token"
    assert operation(document, "post", "/scenarios")["security"] == [{"bearer": []}, {"session": [], "csrf": []}]
    assert operation(document, "get", "/scenarios")["security"] == [{"bearer": []}, {"session": []}]
    assert operation(document, "post", "/auth/login")["security"] == []


async def test_metrics_are_text(document: dict[str, Any]) -> None:
    assert list(operation(document, "get", "/metrics")["responses"]["200"]["content"]) == ["text/plain"]


async def test_the_definition_schema_is_the_models(document: dict[str, Any]) -> None:
    from scenarist.engine.model import Scenario

    body = operation(document, "post", "/scenarios")["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Scenario"}
    schemas = document["components"]["schemas"]
    assert set(schemas["Scenario"]["properties"]) == set(Scenario.model_fields)
    assert schemas["Scenario"]["additionalProperties"] is False
    assert "webhooks.custom" in schemas["Trigger"]["properties"]["module"]["enum"]
    assert "webhooks.custom" not in schemas["Step"]["properties"]["module"]["enum"]
    assert "flow.array_aggregator" not in schemas["Trigger"]["properties"]["module"]["enum"]


async def test_email_and_connection_types_are_exact(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Registration"]["properties"]["email"]["format"] == "email"
    assert "http.bearer" in schemas["ConnectionCreate"]["properties"]["type"]["enum"]


@pytest.mark.parametrize("flag", [0, 1, "true"])
async def test_integers_are_not_booleans(client: httpx.AsyncClient, auth: dict[str, str], flag: Any) -> None:
    definition = {"name": "s", "trigger": {"id": "hook", "module": "webhooks.custom"},
                  "schedule": {"type": "immediately"}, "settings": {"confidential": flag}}
    answer = await client.post(f"{API}/scenarios", json=definition, headers=auth)
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == "settings.confidential"
    login = await client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": "x" * 12,
                                                         "remember_email": flag})
    assert login.status_code == 422 and login.json()["error"]["path"] == "remember_email"


async def test_a_405_allows_every_method_of_the_path(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    answer = await client.request("PATCH", f"{API}/scenarios/some-id", headers=auth)
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"
    assert {m.strip() for m in answer.headers["allow"].split(",")} == {"GET", "PUT", "DELETE"}
    answer = await client.request("OPTIONS", f"{API}/scenarios", headers=auth)
    assert {m.strip() for m in answer.headers["allow"].split(",")} == {"GET", "POST"}
