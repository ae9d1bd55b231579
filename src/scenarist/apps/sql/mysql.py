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

The driver code is in ``_mysql_driver``, imported by the first statement or
connection test: reading the catalogue does not load aiomysql.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from scenarist.apps.sql._connection import DatabaseFields, database_fields
from scenarist.apps.sql._dialect import Dialect, Outcome
from scenarist.apps.sql._modules import build_app
from scenarist.apps.sql._params import ParamTexts
from scenarist.sdk import JSON, Bundle, ConnectionType, Egress, RunContext, connection_fields, sockets

MySQLFields = database_fields(
    "Where the MySQL or MariaDB server is and how to log in.", 3306, "Database (schema) name."
)


async def test(raw_fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """Log in and report the server version."""
    from scenarist.apps.sql._mysql_driver import server_version  # aiomysql: loaded here, not with the catalogue

    async def probe(fields: DatabaseFields, guard: Egress) -> str:
        version = await server_version(fields, guard)
        return f"connected to {version} as {fields.username} ({fields.transport})"

    return await sockets.connection_test(MySQLFields, raw_fields, "mysql.database", egress, probe)


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
        from scenarist.apps.sql._mysql_driver import execute

        args = [parameter(v) for v in values] or None
        fields = connection_fields(ctx.connection, MySQLFields, "mysql.database")
        return await execute(ctx, fields, sql, args, seconds)

    def insert_statement(self, table: str, columns: Sequence[str]) -> str:
        slots = ", ".join(self.slots(len(columns)))
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({slots})"  # noqa: S608 (identifiers quoted)

    def inserted(self, outcome: Outcome) -> Bundle:
        """``{rowcount, last_id}`` (``last_id``: the AUTO_INCREMENT value, 0 without one)."""
        return {"rowcount": outcome.rowcount, "last_id": outcome.last_id}


app = build_app(MySQL())
QUERY, INSERT, UPDATE, WATCH_ROWS = app.modules
