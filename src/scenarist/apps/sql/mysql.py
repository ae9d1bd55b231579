"""MySQL and MariaDB (aiomysql): the ``mysql.database`` connection type and the dialect.

aiomysql on its own falls back to plain when the server does not offer TLS;
here such a server is refused (``InvalidConfigurationError``) before any
credential is sent. Works with MySQL 5.7+ and MariaDB 10.x.

Values: ``TIME`` comes out as ``[-]HH:MM:SS[.ffffff]`` text, ``DATETIME`` as
stored (no offset), ``JSON`` columns as their text (MariaDB stores JSON as
text, so both servers answer alike). In (``%s`` parameters): the driver
escapes each value; objects and lists become JSON text (compare with
``JSON_CONTAINS(%s, col)`` for an IN-list). ``update`` counts matched rows
(changed or not).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import ssl
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiomysql
import pymysql
from pymysql.constants import CLIENT

from scenarist.apps.sql._connection import (
    CONNECT_TIMEOUT_SECONDS,
    DatabaseFields,
    database_fields,
    no_tls_error,
    resolve,
    tls_context,
    tls_mode,
    transport_error,
    validated,
)
from scenarist.apps.sql._dialect import Dialect, Outcome
from scenarist.apps.sql._modules import build_app
from scenarist.apps.sql._params import ParamTexts
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    ConnectionType,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
    RunContext,
    connection_fields,
)
from scenarist.types import JSON, Bundle

_AUTH_CODES = frozenset({1044, 1045, 1698, 1251})
_UNKNOWN_DATABASE = 1049
_FIRST_CLIENT_CODE = 2000

MySQLFields = database_fields(
    "Where the MySQL or MariaDB server is and how to log in.", 3306, "Database (schema) name."
)


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
        return no_tls_error(where, fields)
    cause = exc.__cause__ if isinstance(exc, pymysql.MySQLError) else exc
    if cause is None:
        return server_error(exc)
    return transport_error(where, cause)


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
    address = await resolve(fields.host, fields.port, egress)
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
    fields = validated(MySQLFields, raw_fields)
    async with connect(fields, egress) as connection:
        version = connection.get_server_info()
    return f"connected to {version} as {fields.username} ({tls_mode(fields)})"


def time_text(value: dt.timedelta) -> JSON:
    """A ``TIME`` value (the driver's timedelta) as ``[-]HH:MM:SS[.ffffff]``."""
    sign, micros = ("-", -value) if value < dt.timedelta(0) else ("", value)
    total = micros // dt.timedelta(microseconds=1)
    seconds, fraction = divmod(total, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    text = f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{text}.{fraction:06d}" if fraction else text


def parameter(value: Any) -> Any:
    """A JSON value as the driver should escape it."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


class MySQL(Dialect):
    """MySQL and MariaDB: ``%s`` placeholders, `` `name` `` identifiers, inserts report count and id."""

    key = "mysql"
    label = "MySQL / MariaDB"
    description = "Query and change a MySQL or MariaDB database; trigger on new rows."
    query_description = "Run one SQL statement with positional parameters (%s) and output one bundle per row."
    insert_description = "Insert one row into a table; outputs {rowcount, last_id} (the AUTO_INCREMENT value)."
    quote = "`"
    qualifier = "database"
    params = ParamTexts(
        sql="The SQL statement. Refer to parameters as %s (and write a literal % as %% when "
        "parameters are given); values are escaped by the driver, never pasted in by hand.",
        sql_example="SELECT id, email FROM customers WHERE country = %s AND created_at > %s",
        parameters="Values for the %s placeholders, in order; objects and lists are sent as JSON text.",
        parameters_example=["CZ", "2024-01-01 00:00:00"],
        insert_table="Table name, optionally database-qualified (database.table); quoted as given.",
        insert_table_example="shop.orders",
        row="Column name to value; columns left out get their defaults; objects and lists "
        "are sent as JSON text.",
        qualifier="database",
    )
    connection_type = ConnectionType(
        key="mysql.database", label="MySQL / MariaDB database", fields=MySQLFields,
        secret_fields=("password",), test=test,
    )

    def usable_identifier(self, name: str) -> bool:
        return super().usable_identifier(name) and name == name.rstrip()

    def duration(self, value: dt.timedelta) -> JSON:
        return time_text(value)

    async def execute(self, ctx: RunContext, sql: str, values: Sequence[JSON], seconds: float) -> Outcome:
        """Run one statement (no parameters: the text is sent as is, ``%`` included); log the server's warnings."""
        args = [parameter(v) for v in values] or None
        fields = connection_fields(ctx.connection, MySQLFields, "mysql.database")
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

    def insert_statement(self, table: str, columns: Sequence[str]) -> str:
        slots = ", ".join(self.slots(len(columns)))
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({slots})"  # noqa: S608 (identifiers quoted)

    def inserted(self, outcome: Outcome) -> Bundle:
        """``{rowcount, last_id}`` (``last_id``: the AUTO_INCREMENT value, 0 without one)."""
        return {"rowcount": outcome.rowcount, "last_id": outcome.last_id}


app = build_app(MySQL())
QUERY, INSERT, UPDATE, WATCH_ROWS = app.modules
