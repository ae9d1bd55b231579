"""Mutual TLS through the public surface: an ``http.client_certificate`` connection made with the REST API,
tested, and used by a saved scenario run against a real HTTPS server that requires a client certificate.

The private key must come out only in the TLS handshake: never in an API
answer, an execution, nor the SQLite file.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.certs import Authority, Issued
from tests.mtls_server import MutualTlsServer, server_context, serving
from tests.server.conftest import register, running

API = "/api/v1"
PASSPHRASE = "pass-CANARY-7a1e"


@pytest.fixture(scope="module")
def authorities() -> tuple[Authority, Authority]:
    """The server's CA and the CA the server trusts for clients."""
    return Authority("Server CA"), Authority("Client CA")


@pytest.fixture
def mtls(authorities: tuple[Authority, Authority], tmp_path: Path) -> Iterator[MutualTlsServer]:
    server_ca, client_ca = authorities
    with serving(server_context(server_ca.issue("127.0.0.1", server=True), client_ca, tmp_path)) as server:
        yield server


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app, with loopback an allowed egress destination (the HTTPS server is local)."""
    async with running(tmp_path, egress_allow="127.0.0.0/8,::1") as (_, http):
        yield http


def fields(issued: Issued, server_ca: Authority) -> dict[str, str]:
    return {"certificate": issued.cert_pem, "private_key": issued.key_pem(PASSPHRASE), "passphrase": PASSPHRASE,
            "ca_certificate": server_ca.cert_pem}


def key_line(issued: Issued) -> str:
    """A line of the encrypted key as stored: what must never come back."""
    return issued.key_pem(PASSPHRASE).splitlines()[2]


async def create(client: httpx.AsyncClient, auth: dict[str, str], body: dict[str, str]) -> str:
    answer = await client.post(f"{API}/connections", headers=auth,
                               json={"type": "http.client_certificate", "name": "Partner mTLS", "fields": body})
    assert answer.status_code == 201, answer.text
    assert PASSPHRASE not in answer.text and "PRIVATE KEY" not in answer.text
    connection_id: str = answer.json()["id"]
    return connection_id


def scenario(url: str, connection: str) -> dict[str, Any]:
    return {
        "name": "Calls the partner over mutual TLS",
        "trigger": {"id": "start", "module": "webhooks.custom"},
        "schedule": {"type": "on_demand"},
        "flow": [
            {"id": "who", "module": "http.request", "params": {"url": f"{url}/whoami"}, "connection": connection},
            {"id": "file", "module": "http.download", "params": {"url": f"{url}/files/report.bin"},
             "connection": connection},
        ],
    }


async def run(client: httpx.AsyncClient, auth: dict[str, str], definition: dict[str, Any]) -> dict[str, Any]:
    saved = await client.post(f"{API}/scenarios", json=definition, headers=auth)
    assert saved.status_code == 201, saved.text
    answer = await client.post(f"{API}/scenarios/{saved.json()['id']}/run?wait=true", json={"input": {}}, headers=auth)
    assert answer.status_code == 200, answer.text
    execution: dict[str, Any] = answer.json()
    return execution


async def test_a_scenario_calls_the_server_with_the_connections_certificate(
    client: httpx.AsyncClient, mtls: MutualTlsServer, authorities: tuple[Authority, Authority], tmp_path: Path
) -> None:
    server_ca, client_ca = authorities
    ada = client_ca.issue("ada")
    auth = await register(client)
    connection = await create(client, auth, fields(ada, server_ca))

    execution = await run(client, auth, scenario(mtls.url, connection))

    assert execution["status"] == "success", execution
    outputs = {entry["step"]: entry["output"] for entry in execution["log"]}
    assert outputs["who"]["body"] == {"client": "ada", "path": "/whoami"}
    assert outputs["file"]["file_name"] == "r.bin"
    assert key_line(ada) not in json.dumps(execution) and PASSPHRASE not in json.dumps(execution)
    stored = _database_bytes(tmp_path)
    assert key_line(ada).encode() not in stored and PASSPHRASE.encode() not in stored


async def test_text_that_is_not_a_pem_key_answers_422_with_its_path_and_not_its_value(
    client: httpx.AsyncClient, authorities: tuple[Authority, Authority]
) -> None:
    server_ca, client_ca = authorities
    body = fields(client_ca.issue("ada"), server_ca) | {"private_key": f"key is {PASSPHRASE}"}
    auth = await register(client)
    answer = await client.post(f"{API}/connections", headers=auth,
                               json={"type": "http.client_certificate", "name": "x", "fields": body})
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == "fields.private_key"
    assert PASSPHRASE not in answer.text


async def test_the_connection_test_checks_the_certificate_and_key(
    client: httpx.AsyncClient, authorities: tuple[Authority, Authority]
) -> None:
    server_ca, client_ca = authorities
    auth = await register(client)
    connection = await create(client, auth, fields(client_ca.issue("ada"), server_ca))
    answer = await client.post(f"{API}/connections/{connection}/test", headers=auth)
    assert answer.status_code == 200
    assert answer.json()["ok"] is True
    assert "CN=ada" in answer.json()["message"]


async def test_the_connection_test_reports_a_key_of_another_certificate(
    client: httpx.AsyncClient, authorities: tuple[Authority, Authority]
) -> None:
    server_ca, client_ca = authorities
    ada, eve = client_ca.issue("ada"), client_ca.issue("eve")
    auth = await register(client)
    connection = await create(client, auth, fields(ada, server_ca) | {"private_key": eve.key_pem(PASSPHRASE)})
    answer = await client.post(f"{API}/connections/{connection}/test", headers=auth)
    assert answer.json()["ok"] is False
    assert "the private key does not match the certificate" in answer.json()["message"]
    assert key_line(eve) not in answer.text and PASSPHRASE not in answer.text


async def test_a_certificate_the_server_refuses_fails_the_run_with_an_authentication_error(
    client: httpx.AsyncClient, mtls: MutualTlsServer, authorities: tuple[Authority, Authority]
) -> None:
    server_ca, _ = authorities
    stranger = Authority("Stranger CA").issue("eve")
    auth = await register(client)
    connection = await create(client, auth, fields(stranger, server_ca))

    execution = await run(client, auth, scenario(mtls.url, connection))

    assert execution["status"] in ("error", "incomplete"), execution
    assert execution["error"]["type"] == "AuthenticationError"
    assert "does not trust the issuer of the client certificate" in execution["error"]["message"]
    assert key_line(stranger) not in json.dumps(execution)
    (listed,) = (await client.get(f"{API}/connections", headers=auth)).json()
    assert listed["flagged"] is True


def _database_bytes(tmp_path: Path) -> bytes:
    db = tmp_path / "data" / "scenarist.db"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
