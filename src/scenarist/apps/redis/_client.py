"""The redis-py side of the Redis app: one connection, TLS on it, failures as contract errors.

redis-py costs a few megabytes of memory, so only a command or a connection
test imports this module; reading the catalogue (``_connection``, ``_modules``)
does not.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
import redis.exceptions as redis_errors

from scenarist.apps.redis._connection import CONNECT_TIMEOUT_SECONDS, ServerFields
from scenarist.sdk import AuthenticationError, ConnectionError, DataError, Egress, ModuleTimeoutError
from scenarist.sdk.sockets import ErrorMap, Rule, resolve


class _Connection(aioredis.Connection):
    """redis-py's TCP connection, optionally wrapped in our TLS context."""

    def __init__(self, *, tls: ssl.SSLContext | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tls = tls

    def _connection_arguments(self) -> Mapping[str, Any]:
        arguments = dict(super()._connection_arguments())
        if self._tls is not None:
            arguments["ssl"] = self._tls
        return arguments


_REFUSED = ("WRONGPASS", "NOAUTH", "NOPERM")


def errors(fields: ServerFields) -> ErrorMap:
    """redis-py's failures as contract errors; what the server rejects is a ``DataError``."""
    return ErrorMap(
        f"Redis at {fields.host}:{fields.port}",
        Rule(redis_errors.AuthenticationError | redis_errors.AuthorizationError, AuthenticationError),
        Rule(lambda exc: isinstance(exc, redis_errors.ResponseError) and str(exc).startswith(_REFUSED),
             AuthenticationError),
        Rule(lambda exc: isinstance(exc, redis_errors.TimeoutError) and "connecting" in str(exc).lower(),
             ConnectionError, "{where} could not be reached: no session within the connect timeout{hint}"),
        Rule(redis_errors.TimeoutError, ModuleTimeoutError, "{where} did not answer in time"),
        tls=fields.tls,
        after=(
            Rule(redis_errors.ConnectionError, ConnectionError, "{where} could not be reached{hint}: {exc}"),
            Rule(redis_errors.RedisError, DataError, "Redis: {exc}"),
        ),
    )


@asynccontextmanager
async def connect(fields: ServerFields, egress: Egress | None, seconds: float) -> AsyncIterator[aioredis.Redis]:
    """A client on one connection, closed on the way out; failures as contract errors."""
    address = await resolve(egress, fields.host, fields.port)
    pool = aioredis.ConnectionPool(
        connection_class=_Connection, tls=fields.tls_context(), host=address, port=fields.port, db=fields.db,
        username=fields.username or None, password=fields.password or None, max_connections=1,
        socket_connect_timeout=min(CONNECT_TIMEOUT_SECONDS, seconds), socket_timeout=seconds,
    )
    client = aioredis.Redis.from_pool(pool)
    try:
        with errors(fields).translating(redis_errors.RedisError, OSError):
            yield client
    finally:
        await client.aclose()


async def server_version(fields: ServerFields, egress: Egress | None) -> str:
    """The server's version, asked on a fresh connection (the connection test)."""
    async with connect(fields, egress, CONNECT_TIMEOUT_SECONDS) as client:
        info = await client.info("server")
    return str(info.get("redis_version", "?"))
