"""PostgreSQL on 127.0.0.1:5432 (trust, db ``test``): a connection and a table per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from tests.conftest import service_missing

HOST = os.environ.get("SCENARIST_TEST_POSTGRES_HOST", "127.0.0.1")
PORT = int(os.environ.get("SCENARIST_TEST_POSTGRES_PORT", "5432"))


def connection_for(**overrides: Any) -> dict[str, Any]:
    """A ``postgres.database`` connection to the local server, plain unless told otherwise."""
    fields = {"host": HOST, "port": PORT, "database": "test", "username": "postgres", "password": "",
              "tls": "disable", **overrides}
    return {"type": "postgres.database", "fields": fields}


@pytest.fixture
async def admin() -> AsyncIterator[asyncpg.Connection]:
    """A direct session for setting up and checking; skips (fails under CI) without the server."""
    try:
        connection = await asyncpg.connect(host=HOST, port=PORT, user="postgres", database="test", timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        service_missing(f"PostgreSQL not reachable at {HOST}:{PORT}: {exc!r}")
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
def pg() -> dict[str, Any]:
    return connection_for()


@pytest.fixture
async def table(admin: asyncpg.Connection) -> AsyncIterator[str]:
    """A fresh table ``t_<hex>`` (id serial, name, amount numeric, created timestamptz, extra jsonb)."""
    name = f"scen_t_{uuid.uuid4().hex[:12]}"
    await admin.execute(
        f'CREATE TABLE "{name}" (id serial PRIMARY KEY, name text, amount numeric(12, 2), '
        "created timestamptz DEFAULT now(), extra jsonb, \"select\" text)"
    )
    try:
        yield name
    finally:
        await admin.execute(f'DROP TABLE IF EXISTS "{name}"')
