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

from scenarist.apps.redis._connection import CONNECT_TIMEOUT_SECONDS, ServerFields, tls_context
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
    OpenEgress,
)


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


def mapped_error(exc: Exception, fields: ServerFields) -> ModuleError:
    """The contract error for a redis-py failure."""
    where = f"Redis at {fields.host}:{fields.port}"
    if isinstance(exc, redis_errors.AuthenticationError | redis_errors.AuthorizationError):
        return AuthenticationError(f"{where}: {exc}")
    if isinstance(exc, redis_errors.ResponseError) and str(exc).startswith(("WRONGPASS", "NOAUTH", "NOPERM")):
        return AuthenticationError(f"{where}: {exc}")
    if isinstance(exc, redis_errors.TimeoutError) and "connecting" in str(exc).lower():
        hint = "; does it speak TLS? (tls is on; turn it off only on a trusted network)" if fields.tls else ""
        return ConnectionError(f"{where} could not be reached: no session within the connect timeout{hint}")
    if isinstance(exc, redis_errors.TimeoutError | TimeoutError):
        return ModuleTimeoutError(f"{where} did not answer in time")
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ssl.SSLCertVerificationError):
        return InvalidConfigurationError(f"{where}: the server's certificate is not trusted: {cause.verify_message}")
    if isinstance(exc, redis_errors.ConnectionError | OSError):
        hint = " (does the server speak TLS? tls is on)" if fields.tls and isinstance(cause, ssl.SSLError) else ""
        return ConnectionError(f"{where} could not be reached{hint}: {exc}")
    return DataError(f"Redis: {exc}")


@asynccontextmanager
async def connect(fields: ServerFields, egress: Egress | None, seconds: float) -> AsyncIterator[aioredis.Redis]:
    """A client on one connection, closed on the way out; failures as contract errors."""
    address = await (egress or OpenEgress()).resolve(fields.host, fields.port)
    pool = aioredis.ConnectionPool(
        connection_class=_Connection, tls=tls_context(fields), host=address, port=fields.port, db=fields.db,
        username=fields.username or None, password=fields.password or None, max_connections=1,
        socket_connect_timeout=min(CONNECT_TIMEOUT_SECONDS, seconds), socket_timeout=seconds,
    )
    client = aioredis.Redis.from_pool(pool)
    try:
        yield client
    except redis_errors.RedisError as exc:
        raise mapped_error(exc, fields) from exc
    except OSError as exc:
        raise mapped_error(exc, fields) from exc
    finally:
        await client.aclose()


async def server_version(fields: ServerFields, egress: Egress | None) -> str:
    """The server's version, asked on a fresh connection (the connection test)."""
    async with connect(fields, egress, CONNECT_TIMEOUT_SECONDS) as client:
        info = await client.info("server")
    return str(info.get("redis_version", "?"))
