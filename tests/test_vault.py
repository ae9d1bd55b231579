"""The vault and the credentials it seals: tampering, key rotation, missing or malformed keys
(contract sections 2 and 7)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from scenarist.connections import ConnectionService
from scenarist.engine.registry import Registry
from scenarist.sdk import InvalidConfigurationError
from scenarist.server.app import create_app
from scenarist.settings import Settings
from scenarist.store.memory import MemoryStore
from scenarist.store.ports import Store
from scenarist.store.sql import SqlStore
from scenarist.vault import Vault, VaultError
from tests.server.conftest import client_to, lifespan, register

KEY1 = "k1:" + base64.b64encode(bytes(range(1, 33))).decode()
KEY2 = "k2:" + base64.b64encode(bytes(range(101, 133))).decode()
BOTH = f"{KEY2},{KEY1}"
BEARER = ("http.bearer",)
API = "/api/v1"


def service(store: Store, keys: str) -> ConnectionService:
    return ConnectionService(store, Registry.discover(), Vault.parse(keys))


async def bearers(connections: ConnectionService, count: int) -> list[str]:
    return [(await connections.create("ada", "http.bearer", f"c{i}", {"token": f"token-{i}"})).id
            for i in range(count)]


# -- sealing


def test_a_sealed_value_names_its_key_and_opens() -> None:
    vault = Vault.parse(BOTH)
    sealed = vault.seal(b"secret", b"conn-1")
    assert vault.key_id_of(sealed) == "k2"
    assert b"secret" not in sealed
    assert vault.open(sealed, b"conn-1") == b"secret"


def test_one_flipped_bit_anywhere_fails_decryption() -> None:
    vault = Vault.parse(KEY1)
    sealed = vault.seal(b'{"token":"abc"}', b"conn-1")
    for index in range(len(sealed)):
        for bit in (0, 7):
            tampered = bytearray(sealed)
            tampered[index] ^= 1 << bit
            with pytest.raises(VaultError):
                vault.open(bytes(tampered), b"conn-1")


def test_another_connections_associated_data_fails_decryption() -> None:
    vault = Vault.parse(KEY1)
    with pytest.raises(VaultError, match="authentication"):
        vault.open(vault.seal(b"secret", b"conn-1"), b"conn-2")


@pytest.mark.parametrize(("spec", "message"), [
    ("", "no encryption key"),
    ("k1", "id:base64key"),
    ("k1:not base64!", "base64"),
    ("k1:" + base64.b64encode(b"short").decode(), "32 bytes"),
    (f"{KEY1},{KEY1}", "twice"),
    ("bad id:" + KEY1.partition(":")[2], "key id"),
])
def test_malformed_keys_fail_loudly(spec: str, message: str) -> None:
    with pytest.raises(VaultError, match=message):
        Vault.parse(spec)


# -- stored credentials


async def test_a_flipped_bit_in_a_stored_credential_fails_the_step_not_silently() -> None:
    store = MemoryStore()
    connections = service(store, KEY1)
    (key,) = await bearers(connections, 1)
    record = await store.get_connection("ada", key)
    assert record is not None
    tampered = bytearray(record.secrets)
    tampered[-1] ^= 1
    await store.put_connection(replace(record, secrets=bytes(tampered)))
    with pytest.raises(InvalidConfigurationError, match="cannot be decrypted"):
        await connections.resolve("ada", key, BEARER)
    outcome = await connections.test("ada", key)
    assert outcome is not None and outcome.ok is False


async def test_sealed_secrets_moved_to_another_connection_do_not_open() -> None:
    store = MemoryStore()
    connections = service(store, KEY1)
    first, second = await bearers(connections, 2)
    one, two = await store.get_connection("ada", first), await store.get_connection("ada", second)
    assert one is not None and two is not None
    await store.put_connection(replace(two, secrets=one.secrets))
    with pytest.raises(InvalidConfigurationError):
        await connections.resolve("ada", second, BEARER)


async def test_the_store_never_holds_a_secret_in_clear() -> None:
    store = MemoryStore()
    (key,) = await bearers(service(store, KEY1), 1)
    record = await store.get_connection("ada", key)
    assert record is not None
    assert record.fields == {}
    assert b"token-0" not in record.secrets
    assert record.key_id == "k1"


# -- rotation


async def test_rotation_changes_key_ids_and_keeps_every_connection_usable() -> None:
    store = MemoryStore()
    keys = await bearers(service(store, KEY1), 5)
    rotated = service(store, BOTH)
    assert await rotated.rotate() == 5
    assert {c.key_id for c in await store.list_all_connections()} == {"k2"}
    assert await rotated.rotate() == 0
    only_new = service(store, KEY2)
    for i, key in enumerate(keys):
        resolved = await only_new.resolve("ada", key, BEARER)
        assert resolved == {"type": "http.bearer", "fields": {"token": f"token-{i}"}}


async def test_rotation_keeps_the_flag_and_the_non_secret_fields() -> None:
    store = MemoryStore()
    old = service(store, KEY1)
    record = await old.create("ada", "http.api_key", "k", {"name": "X-Key", "value": "v-1"})
    await store.set_connection_flag("ada", record.id, True)
    await service(store, BOTH).rotate()
    after = await store.get_connection("ada", record.id)
    assert after is not None
    assert (after.flagged, after.fields, after.key_id) == (True, {"name": "X-Key", "placement": "header"}, "k2")


async def test_two_rotations_at_once_reseal_each_row_once(tmp_path: Path) -> None:
    store = await SqlStore.open(f"sqlite:///{tmp_path / 'race.db'}")
    try:
        keys = await bearers(service(store, KEY1), 40)
        counts = await asyncio.gather(service(store, BOTH).rotate(), service(store, BOTH).rotate())
        assert sum(counts) == 40
        only_new = service(store, KEY2)
        for i, key in enumerate(keys):
            assert (await only_new.resolve("ada", key, BEARER))["fields"] == {"token": f"token-{i}"}
    finally:
        await store.close()


# -- a missing key fails loudly


async def test_a_missing_key_fails_the_check_and_the_rotation_naming_the_key() -> None:
    store = MemoryStore()
    await bearers(service(store, KEY1), 2)
    only_new = service(store, KEY2)
    with pytest.raises(VaultError, match="'k1'"):
        await only_new.check_keys()
    with pytest.raises(VaultError, match="'k1'"):
        await only_new.rotate()
    assert {c.key_id for c in await store.list_all_connections()} == {"k1"}


def settings(tmp_path: Path, keys: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", secret_keys=keys, egress_allow="127.0.0.0/8,::1")


@contextlib.asynccontextmanager
async def serving(tmp_path: Path, keys: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings(tmp_path, keys))
    async with lifespan(app), client_to(app) as client:
        yield app, client


async def create(client: httpx.AsyncClient, auth: dict[str, str], token: str) -> str:
    body = {"type": "http.bearer", "name": token, "fields": {"token": token}}
    answer = await client.post(f"{API}/connections", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    connection_id: str = answer.json()["id"]
    return connection_id


async def test_the_server_refuses_to_start_when_a_stored_credentials_key_is_missing(tmp_path: Path) -> None:
    async with serving(tmp_path, KEY1) as (_, client):
        await create(client, await register(client), "token-0")
    app = create_app(settings(tmp_path, KEY2))
    with pytest.raises(VaultError, match="'k1'"):
        async with app.router.lifespan_context(app):
            pass


async def test_the_server_refuses_to_start_with_malformed_keys(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path, "k1:not-base64!"))
    with pytest.raises(VaultError, match="base64"):
        async with app.router.lifespan_context(app):
            pass


async def scenarist(tmp_path: Path, keys: str, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "SCENARIST_DATA_DIR": str(tmp_path / "data"), "SCENARIST_SECRET_KEYS": keys}
    env.pop("SCENARIST_DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "scenarist", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_vault_rotate_names_a_missing_key_and_changes_nothing(tmp_path: Path) -> None:
    async with serving(tmp_path, KEY1) as (_, client):
        await create(client, await register(client), "token-0")
    code, _, err = await scenarist(tmp_path, KEY2, "vault", "rotate")
    assert code != 0
    assert "'k1'" in err
    assert key_ids(tmp_path) == {"k1"}


async def test_vault_rotate_refuses_malformed_keys(tmp_path: Path) -> None:
    code, _, err = await scenarist(tmp_path, "k1", "vault", "rotate")
    assert code != 0
    assert "id:base64key" in err


def key_ids(tmp_path: Path) -> set[str]:
    db = tmp_path / "data" / "scenarist.db"
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return {row[0] for row in conn.execute("SELECT key_id FROM connections")}


# -- rotation while the server runs


async def test_vault_rotate_runs_safely_while_the_server_serves(tmp_path: Path) -> None:
    count = 120
    async with serving(tmp_path, KEY1) as (_, client):
        auth = await register(client)
        old = [await create(client, auth, f"token-{i}") for i in range(count)]
    assert key_ids(tmp_path) == {"k1"}

    async with serving(tmp_path, BOTH) as (app, client):
        rotation = asyncio.create_task(scenarist(tmp_path, BOTH, "vault", "rotate"))
        new: list[str] = []
        rounds = 0
        while not rotation.done() or rounds < 2:
            rounds += 1
            new.append(await create(client, auth, f"new-{rounds}"))
            for key in old[rounds % 10 :: 10]:
                answer = await client.post(f"{API}/connections/{key}/test", headers=auth)
                assert answer.json()["ok"] is True, answer.text
            assert len((await client.get(f"{API}/connections", headers=auth)).json()) == count + len(new)
        code, out, err = await rotation
        assert code == 0, err
        assert f"re-encrypted {count} credential(s)" in out
        assert key_ids(tmp_path) == {"k2"}
        connections = app.state.runtime.connections
        for i, key in enumerate(old):
            resolved = await connections.resolve(await account_of(app, key), key, BEARER)
            assert resolved["fields"] == {"token": f"token-{i}"}
    async with serving(tmp_path, KEY2) as (_, client):
        for key in old[:5] + new[:2]:
            assert (await client.post(f"{API}/connections/{key}/test", headers=auth)).json()["ok"] is True


async def account_of(app: FastAPI, connection_id: str) -> str:
    store: Store = app.state.runtime.store
    found = [c for c in await store.list_all_connections() if c.id == connection_id]
    return found[0].account_id
