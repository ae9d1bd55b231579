"""The ``mysql.database`` connection type (aiomysql): fields, TLS, and how failures map to errors.

TLS (CONTRACT.md section 9: the secure mode is the default, plain is a choice):

- ``require`` (default): the session is encrypted; the certificate is checked
  against ``ca_cert`` when one is given (without the host name), else not checked;
- ``verify-full``: encrypted, the certificate must chain to ``ca_cert`` (or the
  system's roots) and name the host;
- ``disable``: plain TCP, for trusted networks only.

aiomysql on its own falls back to plain when the server does not offer TLS;
here such a server is refused (``InvalidConfigurationError``) before any
credential is sent. Works with MySQL 5.7+ and MariaDB 10.x.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Literal

import aiomysql
import pymysql
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pymysql.constants import CLIENT

from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    ConnectionType,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    client_ssl_context,
    connection_fields,
)

TlsMode = Literal["require", "verify-full", "disable"]
CONNECT_TIMEOUT_SECONDS = 10.0
_AUTH_CODES = frozenset({1044, 1045, 1698, 1251})
_UNKNOWN_DATABASE = 1049
_FIRST_CLIENT_CODE = 2000


class DatabaseFields(BaseModel):
    """Where the MySQL or MariaDB server is and how to log in."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, description="Server host name or address.", examples=["db.example.com"])
    port: int = Field(default=3306, ge=1, le=65535, description="Server port.", examples=[3306])
    database: str = Field(min_length=1, description="Database (schema) name.", examples=["shop"])
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


class _ServerWithoutTls(Exception):
    """The server does not offer TLS and the connection requires it."""


class _StrictTlsConnection(aiomysql.Connection):  # type: ignore[misc]
    """aiomysql's connection, minus its silent fallback to plain text."""

    async def _request_authentication(self) -> None:
        if self._ssl_context is not None and not self.server_capabilities & CLIENT.SSL:
            raise _ServerWithoutTls()
        await super()._request_authentication()


def fields_of(connection: Mapping[str, Any] | None) -> DatabaseFields:
    """The validated fields of a ``mysql.database`` connection."""
    return connection_fields(connection, DatabaseFields, "mysql.database")


def server_error(exc: pymysql.MySQLError) -> ModuleError:
    """The contract error for a driver or server error, with the server's message."""
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else 0
    message = exc.args[1] if len(exc.args) > 1 else str(exc)
    text = f"MySQL error {code}: {message}" if code else f"MySQL: {message}"
    if code in _AUTH_CODES:
        return AuthenticationError(text)
    if code == _UNKNOWN_DATABASE:
        return InvalidConfigurationError(text)
    if code >= _FIRST_CLIENT_CODE:
        return ConnectionError(text)
    return DataError(text)


def _connect_error(exc: BaseException, fields: DatabaseFields) -> ModuleError:
    where = f"MySQL at {fields.host}:{fields.port}"
    if isinstance(exc, _ServerWithoutTls):
        return InvalidConfigurationError(
            f"{where} does not offer TLS; the connection requires it (tls: {fields.tls}). "
            "Choose tls 'disable' only for a trusted network."
        )
    cause = exc.__cause__ if isinstance(exc, pymysql.MySQLError) else exc
    if cause is None:
        return server_error(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return InvalidConfigurationError(f"{where}: the server's certificate is not trusted: {cause.verify_message}")
    if isinstance(cause, TimeoutError):
        return ConnectionError(f"{where} did not answer within {CONNECT_TIMEOUT_SECONDS:g} s")
    return ConnectionError(f"{where} could not be reached: {type(cause).__name__}: {cause}")


async def _resolve(host: str, port: int, egress: Egress | None) -> str:
    if egress is not None:
        return await egress.resolve(host, port)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ConnectionError(f"{host} could not be resolved: {exc}") from exc
    return str(infos[0][4][0])


async def _open(fields: DatabaseFields, address: str) -> aiomysql.Connection:
    connection = _StrictTlsConnection(
        host=address, port=fields.port, user=fields.username, password=fields.password, db=fields.database,
        ssl=tls_context(fields), connect_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=True, charset="utf8mb4",
        client_flag=CLIENT.FOUND_ROWS, local_infile=False,
    )
    await connection._connect()
    return connection


async def _limit_statements(connection: aiomysql.Connection, seconds: float) -> None:
    """Ask the server to stop statements over the time limit (MariaDB: all; MySQL: SELECT)."""
    async with connection.cursor() as cursor:
        if "mariadb" in connection.get_server_info().lower():
            await cursor.execute("SET SESSION max_statement_time = %s", (seconds,))
        else:
            await cursor.execute("SET SESSION max_execution_time = %s", (int(seconds * 1000),))


@asynccontextmanager
async def connect(
    fields: DatabaseFields, egress: Egress | None, statement_seconds: float = 0
) -> AsyncIterator[aiomysql.Connection]:
    """An open autocommit session, closed on the way out; failures as contract errors."""
    address = await _resolve(fields.host, fields.port, egress)
    try:
        connection = await _open(fields, address)
    except (OSError, TimeoutError, ssl.SSLError, pymysql.MySQLError, _ServerWithoutTls) as exc:
        raise _connect_error(exc, fields) from exc
    try:
        if statement_seconds:
            await _limit_statements(connection, statement_seconds)
        yield connection
    except pymysql.MySQLError as exc:
        raise server_error(exc) from exc
    except OSError as exc:
        raise ConnectionError(f"the MySQL session broke: {type(exc).__name__}: {exc}") from exc
    finally:
        await _close(connection)


async def _close(connection: aiomysql.Connection) -> None:
    try:
        async with asyncio.timeout(5):
            await connection.ensure_closed()
    except (OSError, TimeoutError, pymysql.MySQLError):
        connection.close()


async def test(raw_fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """Log in and report the server version."""
    try:
        fields = DatabaseFields.model_validate(dict(raw_fields))
    except ValidationError as exc:
        raise InvalidConfigurationError(f"the connection is incomplete: {exc.error_count()} problem(s)") from exc
    async with connect(fields, egress) as connection:
        version = connection.get_server_info()
    mode = "plain" if fields.tls == "disable" else "TLS"
    return f"connected to {version} as {fields.username} ({mode})"


CONNECTION_TYPE = ConnectionType(
    key="mysql.database",
    label="MySQL / MariaDB database",
    fields=DatabaseFields,
    secret_fields=("password",),
    test=test,
)
