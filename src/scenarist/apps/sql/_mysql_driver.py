"""The aiomysql side of the MySQL app: strict-TLS sessions, statements, failures as contract errors.

aiomysql and PyMySQL cost more than a megabyte together, so only a statement
or a connection test imports this module; reading the catalogue (``mysql``)
does not.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiomysql
import pymysql
from pymysql.constants import CLIENT

from scenarist.apps.sql._connection import CONNECT_TIMEOUT_SECONDS, DatabaseFields, connect_errors, no_tls
from scenarist.apps.sql._dialect import Outcome
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
    RunContext,
)
from scenarist.sdk.sockets import ErrorMap, Rule, resolve

_AUTH_CODES = frozenset({1044, 1045, 1698, 1251})
_UNKNOWN_DATABASE = 1049
_FIRST_CLIENT_CODE = 2000


class _ServerWithoutTls(Exception):
    """The server does not offer TLS and the connection requires it."""


class _StrictTlsConnection(aiomysql.Connection):  # type: ignore[misc]
    """aiomysql's connection, minus its silent fallback to plain text."""

    async def _request_authentication(self) -> None:
        if self._ssl_context is not None and not self.server_capabilities & CLIENT.SSL:
            raise _ServerWithoutTls()
        await super()._request_authentication()


class _QuietDictCursor(aiomysql.DictCursor):  # type: ignore[misc]
    """A dict cursor that keeps the server's warnings instead of raising Python warnings."""

    server_warnings: list[str]

    async def _show_warnings(self, conn: aiomysql.Connection) -> None:
        if self._result and self._result.has_next:
            return
        rows = await conn.show_warnings()
        self.server_warnings = [str(row[-1]) for row in rows or ()]


def _server_error(exc: BaseException) -> type[ModuleError]:
    """By the error's code: refused credentials, an unknown database, a client-side (connection) failure,
    else what the statement did."""
    code = _code(exc)
    if code in _AUTH_CODES:
        return AuthenticationError
    if code == _UNKNOWN_DATABASE:
        return InvalidConfigurationError
    if code >= _FIRST_CLIENT_CODE:
        return ConnectionError
    return DataError


def _code(exc: BaseException) -> int:
    return exc.args[0] if exc.args and isinstance(exc.args[0], int) else 0


def _server_text(exc: BaseException) -> str:
    """The driver's or the server's message, with its code."""
    code = _code(exc)
    message = exc.args[1] if len(exc.args) > 1 else str(exc)
    return f"MySQL error {code}: {message}" if code else f"MySQL: {message}"


_SERVER_ERROR = Rule(pymysql.MySQLError, _server_error, _server_text)
_SESSION_ERRORS = ErrorMap(
    "the MySQL session", _SERVER_ERROR, Rule(OSError, ConnectionError, "the MySQL session broke: {kind}: {exc}"),
)


def _connect_error(exc: BaseException, fields: DatabaseFields) -> ModuleError:
    """What failed on the way to a session: the missing TLS, the server's refusal, else the driver's
    cause (the socket's, the handshake's)."""
    where = f"MySQL at {fields.host}:{fields.port}"
    if isinstance(exc, _ServerWithoutTls):
        return InvalidConfigurationError(no_tls(where, fields))
    cause = exc.__cause__ if isinstance(exc, pymysql.MySQLError) else exc
    if cause is None:
        return _SESSION_ERRORS.error(exc)
    return connect_errors(where).error(cause)


async def _open(fields: DatabaseFields, address: str) -> aiomysql.Connection:
    connection = _StrictTlsConnection(
        host=address, port=fields.port, user=fields.username, password=fields.password, db=fields.database,
        ssl=fields.tls_context(), connect_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=True, charset="utf8mb4",
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
    address = await resolve(egress, fields.host, fields.port)
    try:
        connection = await _open(fields, address)
    except (OSError, TimeoutError, ssl.SSLError, pymysql.MySQLError, _ServerWithoutTls) as exc:
        raise _connect_error(exc, fields) from exc
    try:
        with _SESSION_ERRORS.translating(pymysql.MySQLError, OSError):
            if statement_seconds:
                await _limit_statements(connection, statement_seconds)
            yield connection
    finally:
        await _close(connection)


async def _close(connection: aiomysql.Connection) -> None:
    try:
        async with asyncio.timeout(5):
            await connection.ensure_closed()
    except (OSError, TimeoutError, pymysql.MySQLError):
        connection.close()


async def server_version(fields: DatabaseFields, egress: Egress | None) -> str:
    """The server's version text, on a fresh session (the connection test)."""
    async with connect(fields, egress) as connection:
        return str(connection.get_server_info())


async def execute(ctx: RunContext, fields: DatabaseFields, sql: str, args: list[Any] | None,
                  seconds: float) -> Outcome:
    """Run one statement (``args`` None: the text is sent as is, ``%`` included); log the server's warnings."""
    async with connect(fields, ctx.egress, seconds) as connection:
        cursor = _QuietDictCursor(connection)
        try:
            async with asyncio.timeout(seconds):
                await cursor.execute(sql, args)
                rows = await cursor.fetchall()
        except TimeoutError as exc:
            connection.close()
            raise ModuleTimeoutError(f"MySQL did not finish the statement within {seconds:g} s") from exc
        for warning in getattr(cursor, "server_warnings", ()):
            ctx.log.info(f"MySQL warning: {warning}")
        return Outcome(rows=list(rows or ()), rowcount=cursor.rowcount, last_id=cursor.lastrowid or 0)
