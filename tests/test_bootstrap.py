"""The one composition root: `run`, `purge`, `vault rotate` and `serve` build their services from Settings
through it, frozen, with the key check and the OAuth redirect of the settings."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from scenarist import cli
from scenarist.bootstrap import Services, open_core, open_services, services_from_settings
from scenarist.server.runtime import Runtime
from scenarist.settings import Settings
from scenarist.types import LOCAL_ACCOUNT
from scenarist.vault import VaultError
from tests.cli.test_cli import scenarist, write
from tests.test_vault import BOTH, KEY1, KEY2

PUBLIC_URL = "https://automations.example.com/"
CALLBACK = "https://automations.example.com/api/v1/oauth/callback"
SCENARIO = {
    "name": "echo",
    "trigger": {"id": "hook", "module": "webhooks.custom"},
    "flow": [{"id": "answer", "module": "webhooks.respond", "params": {"body": "{{ hook.body }}"}}],
}


def settings(data_dir: Path, keys: str, **more: Any) -> Settings:
    return Settings(data_dir=data_dir, secret_keys=keys, public_url=PUBLIC_URL, egress_allow="127.0.0.0/8,::1",
                    **more)


async def store_a_credential(data_dir: Path, keys: str) -> None:
    async with services_from_settings(settings(data_dir, keys)) as services:
        await services.connections.create(LOCAL_ACCOUNT, "http.bearer", "token", {"token": "secret"})


async def test_scenarist_run_refuses_a_store_whose_credentials_key_is_not_configured(tmp_path: Path) -> None:
    data = tmp_path / "data"
    await store_a_credential(data, KEY1)
    file = write(tmp_path / "echo.yaml", SCENARIO)
    refused = scenarist("run", str(file), "--input", '{"a": 1}', "--json", data_dir=data,
                        env={"SCENARIST_SECRET_KEYS": KEY2})
    assert refused.returncode == cli.EXIT_FAILED, refused.stdout
    assert "'k1'" in refused.stderr and "scenarist vault rotate" in refused.stderr
    assert refused.stdout == ""
    ran = scenarist("run", str(file), "--input", '{"a": 1}', "--json", data_dir=data,
                    env={"SCENARIST_SECRET_KEYS": BOTH})
    assert ran.returncode == 0, ran.stderr


def test_scenarist_purge_reads_no_credential_and_needs_no_old_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    asyncio.run(store_a_credential(data, KEY1))
    done = scenarist("purge", data_dir=data, env={"SCENARIST_SECRET_KEYS": KEY2})
    assert done.returncode == 0, done.stderr


async def test_scenarist_run_gets_the_oauth_redirect_and_the_webhook_urls_of_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[Services] = []
    real: Callable[..., AbstractAsyncContextManager[Services]] = cli.services_from_settings

    @asynccontextmanager
    async def spy(*args: Any, **kwargs: Any) -> AsyncIterator[Services]:
        async with real(*args, **kwargs) as services:
            built.append(services)
            yield services

    monkeypatch.setattr(cli, "services_from_settings", spy)
    monkeypatch.delenv("SCENARIST_DATABASE_URL", raising=False)
    for name, value in {"DATA_DIR": str(tmp_path / "data"), "SECRET_KEYS": KEY1, "PUBLIC_URL": PUBLIC_URL,
                        "HOOKS_URL": "https://hooks.example.com"}.items():
        monkeypatch.setenv(f"SCENARIST_{name}", value)
    assert await cli._run("echo", SCENARIO, {"a": 1}, as_json=True) == cli.EXIT_OK
    [services] = built
    assert services.connections.redirect_uri == services.oauth_redirect_uri == CALLBACK
    assert services.engine.services.credentials is services.connections
    assert services.engine.public_url == "https://hooks.example.com"
    assert services.engine.services.data_stores is not None
    assert services.finisher is None  # one run: its end is written alone


async def test_the_services_are_frozen_down_to_the_engine(tmp_path: Path) -> None:
    async with services_from_settings(settings(tmp_path, KEY1)) as services:
        with pytest.raises(dataclasses.FrozenInstanceError):
            services.engine = None  # type: ignore[misc,assignment]
        with pytest.raises(dataclasses.FrozenInstanceError):
            services.store = None  # type: ignore[misc,assignment]
        with pytest.raises(dataclasses.FrozenInstanceError):
            services.engine.services.data_stores = None  # type: ignore[misc]


async def test_serve_builds_the_same_services_as_run_and_exposes_them_read_only(tmp_path: Path) -> None:
    config = settings(tmp_path, KEY1)
    runtime = Runtime(config, timers=False)
    await runtime.start()
    try:
        async with services_from_settings(config) as ran:
            served = runtime.services
            for name in ("oauth_redirect_uri", "settings", "owns_store"):
                assert getattr(served, name) == getattr(ran, name), name
            assert served.connections.redirect_uri == ran.connections.redirect_uri == CALLBACK
            assert served.egress.policy == ran.egress.policy
            assert served.engine.public_url == ran.engine.public_url == PUBLIC_URL
            assert served.engine.services.credentials is served.connections
            assert served.engine.services.data_stores is not None
            assert served.finisher is not None  # concurrent runs finish in one transaction
        assert (runtime.engine, runtime.store, runtime.connections) == (
            served.engine, served.store, served.connections)
        with pytest.raises(AttributeError):
            runtime.engine = ran.engine  # type: ignore[misc]
    finally:
        await runtime.stop()
    assert not runtime.started


async def test_open_services_checks_the_keys_and_open_core_may_skip_the_check(tmp_path: Path) -> None:
    await store_a_credential(tmp_path, KEY1)
    with pytest.raises(VaultError, match="'k1'"):
        await open_services(settings(tmp_path, KEY2))
    core = await open_core(settings(tmp_path, KEY2), check_keys=False)
    try:
        assert not hasattr(core, "engine")
        assert [c.key_id for c in await core.store.list_all_connections()] == ["k1"]
    finally:
        await core.aclose()
    assert core.http.is_closed
