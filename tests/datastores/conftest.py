"""A running server on SQLite or PostgreSQL, an account on it, and helpers to use data stores through the API.

Every test that takes ``api`` runs twice: on SQLite in the data dir (the
embedded default) and on a fresh PostgreSQL database (skipped where the
service is absent, failing under ``CI=true``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from tests.server.conftest import register, running

API = "/api/v1"
ORDERS = [
    {"name": "status", "type": "text", "required": True},
    {"name": "amount", "type": "number"},
    {"name": "paid", "type": "boolean"},
    {"name": "placed", "type": "date"},
    {"name": "tags", "type": "array"},
    {"name": "customer", "type": "collection"},
    {"name": "note", "type": "any"},
]


@dataclass
class Api:
    """An account on a running server, and what the tests do with it."""

    app: FastAPI
    client: httpx.AsyncClient
    auth: dict[str, str]

    async def create_store(self, structure: list[dict[str, Any]] | None = None, *, name: str = "Orders",
                           **limits: int) -> dict[str, Any]:
        body = {"name": name, "structure": ORDERS if structure is None else structure, **limits}
        answer = await self.client.post(f"{API}/data-stores", json=body, headers=self.auth)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    async def store(self, store_id: str) -> dict[str, Any]:
        answer = await self.client.get(f"{API}/data-stores/{store_id}", headers=self.auth)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    async def put_record(self, store_id: str, key: str, data: dict[str, Any]) -> httpx.Response:
        return await self.client.put(f"{API}/data-stores/{store_id}/records/{quote(key, safe='')}",
                                     json={"data": data}, headers=self.auth)

    async def records(self, store_id: str) -> dict[str, Any]:
        """Every record of the store, key to data, through the paged listing."""
        found: dict[str, Any] = {}
        after: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 1000} | ({"after": after} if after else {})
            answer = await self.client.get(f"{API}/data-stores/{store_id}/records", params=params, headers=self.auth)
            assert answer.status_code == 200, answer.text
            page = answer.json()
            if not page:
                return found
            found.update((r["key"], r["data"]) for r in page)
            after = page[-1]["key"]

    async def scenario(self, flow: list[dict[str, Any]], name: str = "Data store scenario") -> str:
        definition = {"name": name, "trigger": {"id": "hook", "module": "webhooks.custom"},
                      "schedule": {"type": "on_demand"}, "flow": flow}
        answer = await self.client.post(f"{API}/scenarios", json=definition, headers=self.auth)
        assert answer.status_code == 201, answer.text
        scenario_id: str = answer.json()["id"]
        return scenario_id

    async def run(self, scenario_id: str, payload: Any = None) -> dict[str, Any]:
        """Run and wait; the execution with its log."""
        answer = await self.client.post(f"{API}/scenarios/{scenario_id}/run?wait=true", json={"input": payload},
                                        headers=self.auth)
        assert answer.status_code == 200, answer.text
        execution: dict[str, Any] = answer.json()
        return execution

    async def run_flow(self, flow: list[dict[str, Any]], payload: Any = None) -> dict[str, Any]:
        return await self.run(await self.scenario(flow), payload)


def outputs(execution: dict[str, Any], step: str) -> list[Any]:
    """What ``step`` output, one entry per operation."""
    return [entry.get("output") for entry in execution["log"] if entry["step"] == step]


def step(step_id: str, module: str, **params: Any) -> dict[str, Any]:
    return {"id": step_id, "module": f"datastore.{module}", "params": params}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None: the embedded SQLite; else a fresh PostgreSQL database for the test."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("postgres_database_url")
    return url


@pytest.fixture
async def server(tmp_path: Path, database_url: str | None) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    overrides = {"database_url": database_url} if database_url else {}
    async with running(tmp_path, **overrides) as (app, client):
        yield app, client


@pytest.fixture
async def api(server: tuple[FastAPI, httpx.AsyncClient]) -> Api:
    app, client = server
    return Api(app, client, await register(client))


@pytest.fixture
async def other(api: Api) -> Api:
    """A second account on the same server."""
    return Api(api.app, api.client, await register(api.client, "bob.datastores@example.com"))
