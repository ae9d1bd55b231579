"""PostgreSQL (asyncpg): the ``postgres.database`` connection type and the dialect.

Values in (statement parameters, ``$1``, ``$2``...): asyncpg wants the Python
type of each parameter, so JSON values are converted to the type the server
inferred (``"2024-03-05"`` for a ``date``, ``"42"`` for an ``int4``...). A
value that does not fit is a ``DataError`` naming the parameter. JSON columns
are decoded; ``interval`` comes out as seconds.

The driver code is in ``_postgres_driver``, imported by the first statement or
connection test: reading the catalogue does not load asyncpg.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scenarist.apps.sql._connection import DatabaseFields, database_fields
from scenarist.apps.sql._dialect import Dialect, Outcome
from scenarist.apps.sql._modules import build_app
from scenarist.apps.sql._params import ParamTexts
from scenarist.apps.sql._values import row_bundle
from scenarist.sdk import JSON, Bundle, ConnectionType, Egress, RunContext, connection_fields, sockets

PostgresFields = database_fields("Where the PostgreSQL server is and how to log in.", 5432, "Database name.")


async def test(raw_fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """Log in and report the server version."""
    from scenarist.apps.sql._postgres_driver import server_version  # asyncpg: loaded here, not with the catalogue

    async def probe(fields: DatabaseFields, guard: Egress) -> str:
        version = await server_version(fields, guard)
        return f"connected to PostgreSQL {version} as {fields.username} ({fields.transport})"

    return await sockets.connection_test(PostgresFields, raw_fields, "postgres.database", egress, probe)


class Postgres(Dialect):
    """PostgreSQL: ``$n`` placeholders, ``"name"`` identifiers, inserts return the stored row."""

    key = "postgres"
    label = "PostgreSQL"
    description = "Query and change a PostgreSQL database; trigger on new rows."
    query_description = "Run one SQL statement with positional parameters ($1, $2...) and output one bundle per row."
    insert_description = "Insert one row into a table and output it as stored, generated columns included."
    quote = '"'
    qualifier = "schema"
    params = ParamTexts(
        sql="The SQL statement. Refer to parameters as $1, $2...; values are never pasted into the text.",
        sql_example="SELECT id, email FROM customers WHERE country = $1 AND created_at > $2",
        parameters="Values for $1, $2... in order; text is converted to the parameter's type "
        "(\"2024-03-05\" for a date, \"42\" for an integer).",
        parameters_example=["CZ", "2024-01-01T00:00:00Z"],
        insert_table="Table name, optionally schema-qualified (schema.table); quoted as given, case kept.",
        insert_table_example="public.orders",
        row="Column name to value; columns left out get their defaults.",
        qualifier="schema",
    )
    connection_type = ConnectionType(
        key="postgres.database", label="PostgreSQL database", fields=PostgresFields,
        secret_fields=("password",), test=test,
    )

    def placeholder(self, number: int) -> str:
        return f"${number}"

    async def execute(self, ctx: RunContext, sql: str, values: Sequence[JSON], seconds: float) -> Outcome:
        """Prepare, bind by the inferred types, run (asyncpg is imported by the first statement)."""
        from scenarist.apps.sql._postgres_driver import execute

        fields = connection_fields(ctx.connection, PostgresFields, "postgres.database")
        return await execute(fields, ctx.egress, sql, values, seconds)

    def insert_statement(self, table: str, columns: Sequence[str]) -> str:
        if not columns:
            return f"INSERT INTO {table} DEFAULT VALUES RETURNING *"  # noqa: S608
        slots = ", ".join(self.slots(len(columns)))
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({slots}) RETURNING *"  # noqa: S608

    def inserted(self, outcome: Outcome) -> Bundle:
        """The row as stored (defaults and generated ids included)."""
        return row_bundle(outcome.rows[0], self.duration)



app = build_app(Postgres())
QUERY, INSERT, UPDATE, WATCH_ROWS = app.modules
