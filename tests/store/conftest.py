"""The ``store`` fixture: every contract test runs on memory, SQLite and PostgreSQL.

PostgreSQL (``SCENARIST_TEST_POSTGRES_URL``, default the local service) gives
each test its own schema, named after this session, dropped after the test;
whatever a crashed test left behind is swept at the end of the session. Where
PostgreSQL is absent its tests skip, and fail under ``CI=true``.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from scenarist.store.memory import MemoryStore
from scenarist.store.ports import Store
from scenarist.store.sql import SqlStore

POSTGRES_URL = os.environ.get("SCENARIST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SESSION = uuid.uuid4().hex[:8]


@dataclass(frozen=True)
class Backend:
    name: str
    url: str = ""
    schema: str | None = None


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _execute(sql: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _drop_session_schemas() -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL), timeout=5)
    try:
        names = await connection.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", f"test_{SESSION}_%")
        for row in names:
            await connection.execute(f'DROP SCHEMA "{row["nspname"]}" CASCADE')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The PostgreSQL URL when the service answers; skip (fail under CI) otherwise."""
    try:
        asyncio.run(_execute("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc!r}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    yield POSTGRES_URL
    asyncio.run(_drop_session_schemas())


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A fresh schema name for one test; the schema is dropped afterwards."""
    schema = f"test_{SESSION}_{uuid.uuid4().hex[:8]}"
    yield schema
    asyncio.run(_execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "memory":
        return Backend("memory")
    if request.param == "sqlite":
        return Backend("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    schema = request.getfixturevalue("postgres_schema")
    return Backend("postgres", request.getfixturevalue("postgres_url"), schema)


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[Store]:
    opened: Store
    if backend.name == "memory":
        opened = MemoryStore()
    else:
        opened = await SqlStore.open(backend.url, schema=backend.schema)
    yield opened
    await opened.close()
