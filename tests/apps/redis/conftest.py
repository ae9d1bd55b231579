"""Redis on 127.0.0.1:6379: a connection and a unique key prefix per test (its keys deleted afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis
import redis.exceptions

from tests.conftest import service_missing

HOST = os.environ.get("SCENARIST_TEST_REDIS_HOST", "127.0.0.1")
PORT = int(os.environ.get("SCENARIST_TEST_REDIS_PORT", "6379"))


def connection_for(**overrides: Any) -> dict[str, Any]:
    """A ``redis.server`` connection to the local server, plain unless told otherwise."""
    return {"type": "redis.server", "fields": {"host": HOST, "port": PORT, "tls": False, **overrides}}


@pytest.fixture
async def admin() -> AsyncIterator[aioredis.Redis]:
    """A direct client; skips (fails under CI) without the server."""
    client = aioredis.Redis(host=HOST, port=PORT, socket_connect_timeout=5, socket_timeout=5)
    try:
        await client.ping()
    except (OSError, redis.exceptions.RedisError) as exc:
        await client.aclose()
        service_missing(f"Redis not reachable at {HOST}:{PORT}: {exc!r}")
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def prefix(admin: aioredis.Redis) -> AsyncIterator[str]:
    """``scen:<hex>:``; every key under it is deleted after the test."""
    value = f"scen:{uuid.uuid4().hex[:12]}:"
    try:
        yield value
    finally:
        keys = [key async for key in admin.scan_iter(match=f"{value}*")]
        if keys:
            await admin.delete(*keys)


@pytest.fixture
def rd() -> dict[str, Any]:
    return connection_for()
