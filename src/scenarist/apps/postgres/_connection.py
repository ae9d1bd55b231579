"""The ``postgres.database`` connection type: fields, TLS, and how failures map to errors.

TLS (CONTRACT.md section 9: the secure mode is the default, plain is a choice):

- ``require`` (default): the session is encrypted; the certificate is checked
  against ``ca_cert`` when one is given (without the host name), else not checked;
- ``verify-full``: encrypted, the certificate must chain to ``ca_cert`` (or the
  system's roots) and name the host;
- ``disable``: plain TCP, for trusted networks only.

A server that does not offer TLS is refused (``InvalidConfigurationError``)
unless ``tls`` is ``disable``: there is no silent fallback to plain.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Literal

import asyncpg
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
    client_ssl_context,
    connection_fields,
)

TlsMode = Literal["require", "verify-full", "disable"]
CONNECT_TIMEOUT_SECONDS = 10.0
_AUTH_SQLSTATES = frozenset({"28000", "28P01"})


class DatabaseFields(BaseModel):
    """Where the PostgreSQL server is and how to log in."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, description="Server host name or address.", examples=["db.example.com"])
    port: int = Field(default=5432, ge=1, le=65535, description="Server port.", examples=[5432])
    database: str = Field(min_length=1, description="Database name.", examples=["shop"])
    username: str = Field(min_length=1, description="User to log in as.", examples=["scenarist"])
    password: str = Field(default="", description="Password (kept secret).", examples=["correct horse"])
    tls: TlsMode = Field(
        default="require",
        description="require: encrypted (certificate checked only against ca_cert when given); "
        "verify-full: encrypted, certificate and host name verified; disable: plain TCP, trusted networks only.",
        examples=["verify-full"],
    )
    ca_cert: str | None = Field(
        default=None,
        description="PEM certificate(s) of the authority that signed the server's certificate.",
        examples=["-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----"],
    )


def tls_context(fields: DatabaseFields) -> ssl.SSLContext | None:
    """The client TLS context for ``fields.tls`` (None for plain)."""
    if fields.tls == "disable":
        return None
    full = fields.tls == "verify-full"
    return client_ssl_context(
        verify=full or bool(fields.ca_cert), ca_cert=fields.ca_cert, check_hostname=full, pinned_hostname=fields.host
    )


def fields_of(connection: Mapping[str, Any] | None) -> DatabaseFields:
    """The validated fields of a ``postgres.database`` connection."""
    return connection_fields(connection, DatabaseFields, "postgres.database")


def server_error(exc: asyncpg.PostgresError) -> ModuleError:
    """The contract error for an error the server reported, with its message."""
    message = f"PostgreSQL: {exc}"
    detail = getattr(exc, "detail", None)
    if detail:
        message += f" ({detail})"
    if getattr(exc, "sqlstate", None) in _AUTH_SQLSTATES:
        return AuthenticationError(message)
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return InvalidConfigurationError(message)
    return DataError(message)


def _connect_error(exc: BaseException, fields: DatabaseFields) -> ModuleError:
    where = f"PostgreSQL at {fields.host}:{fields.port}"
    if isinstance(exc, asyncpg.PostgresError):
        return server_error(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return InvalidConfigurationError(f"{where}: the server's certificate is not trusted: {exc.verify_message}")
    if "rejected SSL upgrade" in str(exc):
        return InvalidConfigurationError(
            f"{where} does not offer TLS; the connection requires it (tls: {fields.tls}). "
            "Choose tls 'disable' only for a trusted network."
        )
    if isinstance(exc, TimeoutError):
        return ConnectionError(f"{where} did not answer within {CONNECT_TIMEOUT_SECONDS:g} s")
    return ConnectionError(f"{where} could not be reached: {type(exc).__name__}: {exc}")


async def _resolve(host: str, port: int, egress: Egress | None) -> str:
    if egress is not None:
        return await egress.resolve(host, port)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ConnectionError(f"{host} could not be resolved: {exc}") from exc
    return str(infos[0][4][0])


async def _set_codecs(connection: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await connection.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


@asynccontextmanager
async def connect(fields: DatabaseFields, egress: Egress | None) -> AsyncIterator[asyncpg.Connection]:
    """An open session (JSON columns decoded), closed on the way out; failures as contract errors."""
    address = await _resolve(fields.host, fields.port, egress)
    try:
        connection = await asyncpg.connect(
            host=address, port=fields.port, user=fields.username, password=fields.password,
            database=fields.database, ssl=tls_context(fields) or False, timeout=CONNECT_TIMEOUT_SECONDS,
            statement_cache_size=0,
        )
    except (OSError, TimeoutError, ssl.SSLError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise _connect_error(exc, fields) from exc
    try:
        await _set_codecs(connection)
        yield connection
    except asyncpg.PostgresError as exc:
        raise server_error(exc) from exc
    except TimeoutError as exc:
        raise ModuleTimeoutError("PostgreSQL did not finish the statement in time") from exc
    except (OSError, asyncpg.InterfaceError) as exc:
        raise ConnectionError(f"the PostgreSQL session broke: {type(exc).__name__}: {exc}") from exc
    finally:
        await _close(connection)


async def _close(connection: asyncpg.Connection) -> None:
    try:
        await connection.close(timeout=5)
    except (OSError, TimeoutError, asyncpg.InterfaceError):
        connection.terminate()


async def test(raw_fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """Log in and report the server version."""
    try:
        fields = DatabaseFields.model_validate(dict(raw_fields))
    except ValidationError as exc:
        raise InvalidConfigurationError(f"the connection is incomplete: {exc.error_count()} problem(s)") from exc
    async with connect(fields, egress) as connection:
        version = connection.get_server_version()
    mode = "plain" if fields.tls == "disable" else "TLS"
    return f"connected to PostgreSQL {version.major}.{version.minor} as {fields.username} ({mode})"


CONNECTION_TYPE = ConnectionType(
    key="postgres.database",
    label="PostgreSQL database",
    fields=DatabaseFields,
    secret_fields=("password",),
    test=test,
)
