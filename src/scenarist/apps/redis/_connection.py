"""The ``redis.server`` connection type (redis-py's asyncio client): fields, TLS, errors.

TLS is on by default (CONTRACT.md section 9): the certificate must chain to
``ca_cert`` (or the system's roots) and name the host. ``tls: false`` is plain
TCP, for trusted networks only.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
import redis.exceptions as redis_errors
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    ConnectionType,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
    OpenEgress,
    client_ssl_context,
    connection_fields,
)

CONNECT_TIMEOUT_SECONDS = 10.0


class ServerFields(BaseModel):
    """Where the Redis server is and how to log in."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, description="Server host name or address.", examples=["cache.example.com"])
    port: int = Field(default=6379, ge=1, le=65535, description="Server port.", examples=[6379])
    db: int = Field(default=0, ge=0, le=1023, description="Database number.", examples=[0])
    username: str | None = Field(default=None, description="ACL user (Redis 6+); empty for the default user.",
                                 examples=["scenarist"])
    password: str | None = Field(default=None, description="Password (kept secret).", examples=["correct horse"])
    tls: bool = Field(
        default=True,
        description="Encrypt with TLS and verify the server's certificate and host name; "
        "false: plain TCP, trusted networks only.",
        examples=[True],
    )
    ca_cert: str | None = Field(
        default=None,
        description="PEM certificate(s) of the authority that signed the server's certificate "
        "(default: the system's roots).",
        examples=["-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----"],
    )


def tls_context(fields: ServerFields) -> ssl.SSLContext | None:
    """A verifying client context (None when TLS is off)."""
    if not fields.tls:
        return None
    return client_ssl_context(ca_cert=fields.ca_cert, pinned_hostname=fields.host)


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


def fields_of(connection: Mapping[str, Any] | None) -> ServerFields:
    """The validated fields of a ``redis.server`` connection."""
    return connection_fields(connection, ServerFields, "redis.server")


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


async def test(raw_fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """PING the server and report its version."""
    try:
        fields = ServerFields.model_validate(dict(raw_fields))
    except ValidationError as exc:
        raise InvalidConfigurationError(f"the connection is incomplete: {exc.error_count()} problem(s)") from exc
    async with connect(fields, egress, CONNECT_TIMEOUT_SECONDS) as client:
        info = await client.info("server")
    mode = "TLS" if fields.tls else "plain"
    return f"connected to Redis {info.get('redis_version', '?')} db {fields.db} ({mode})"


CONNECTION_TYPE = ConnectionType(
    key="redis.server", label="Redis server", fields=ServerFields, secret_fields=("password",), test=test,
)
