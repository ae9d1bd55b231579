"""The PostgreSQL modules: query, insert, update and watch_rows.

Every value travels as a statement parameter; table and column names are
quoted identifiers (``"name"``, embedded quotes doubled), never pasted values.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from scenarist.apps.postgres._connection import connect, fields_of
from scenarist.apps.postgres._params import InsertParams, QueryParams, UpdateParams, WatchRowsParams
from scenarist.apps.postgres._values import bind, cursor_value, from_cursor, row_bundle
from scenarist.sdk import InvalidConfigurationError, RunContext
from scenarist.types import Bundle


def quote_identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    if not name or "\x00" in name:
        raise InvalidConfigurationError(f"{name!r} is not a usable identifier")
    return '"' + name.replace('"', '""') + '"'


def quote_table(name: str) -> str:
    """A table name, ``schema.table`` or ``table``, quoted part by part."""
    parts = name.split(".")
    if len(parts) > 2:
        raise InvalidConfigurationError(f"table {name!r}: give table or schema.table")
    return ".".join(quote_identifier(part) for part in parts)


async def _run(
    connection: asyncpg.Connection, sql: str, values: list[Any], seconds: float
) -> tuple[list[asyncpg.Record], str]:
    """Prepare, bind by the inferred types, run; the rows and the command tag."""
    statement = await connection.prepare(sql, timeout=seconds)
    rows = await statement.fetch(*bind(values, statement.get_parameters()), timeout=seconds)
    return rows, statement.get_statusmsg()


async def query(ctx: RunContext, params: QueryParams) -> list[Bundle]:
    """Run the statement; one bundle per returned row."""
    async with connect(fields_of(ctx.connection), ctx.egress) as connection:
        rows, _ = await _run(connection, params.sql, params.parameters, params.timeout_seconds)
    return [row_bundle(row) for row in rows[: params.max_rows]]


async def insert(ctx: RunContext, params: InsertParams) -> Bundle:
    """Insert one row and return it as stored (defaults and generated ids included)."""
    table = quote_table(params.table)
    if params.row:
        columns = ", ".join(quote_identifier(name) for name in params.row)
        slots = ", ".join(f"${i}" for i in range(1, len(params.row) + 1))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({slots}) RETURNING *"  # noqa: S608 (identifiers quoted)
    else:
        sql = f"INSERT INTO {table} DEFAULT VALUES RETURNING *"  # noqa: S608
    async with connect(fields_of(ctx.connection), ctx.egress) as connection:
        rows, _ = await _run(connection, sql, list(params.row.values()), params.timeout_seconds)
    return row_bundle(rows[0])


def _where(conditions: dict[str, Any], first_slot: int) -> tuple[str, list[Any]]:
    clauses, values = [], []
    for name, value in conditions.items():
        if value is None:
            clauses.append(f"{quote_identifier(name)} IS NULL")
        else:
            values.append(value)
            clauses.append(f"{quote_identifier(name)} = ${first_slot + len(values) - 1}")
    return " AND ".join(clauses), values


async def update(ctx: RunContext, params: UpdateParams) -> Bundle:
    """Update the matching rows; ``{rowcount}``."""
    assignments = ", ".join(f"{quote_identifier(name)} = ${i}" for i, name in enumerate(params.values, start=1))
    condition, where_values = _where(params.where, len(params.values) + 1)
    sql = f"UPDATE {quote_table(params.table)} SET {assignments} WHERE {condition}"  # noqa: S608
    async with connect(fields_of(ctx.connection), ctx.egress) as connection:
        _, tag = await _run(connection, sql, [*params.values.values(), *where_values], params.timeout_seconds)
    return {"rowcount": int(tag.rsplit(" ", 1)[-1])}


async def watch_rows(ctx: RunContext, params: WatchRowsParams) -> list[Bundle]:
    """Rows whose ``column`` is above the stored cursor, oldest first; the cursor moves to the last one."""
    key = f"postgres.watch_rows:{ctx.step_id}"
    stored = await ctx.state.get(key)
    watching = {"table": params.table, "column": params.column}
    known = isinstance(stored, dict) and all(stored.get(k) == v for k, v in watching.items())
    table, column = quote_table(params.table), quote_identifier(params.column)
    async with connect(fields_of(ctx.connection), ctx.egress) as connection:
        if not known and params.start == "now":
            newest = await connection.fetchval(f"SELECT max({column}) FROM {table}",  # noqa: S608
                                               timeout=params.timeout_seconds)
            await ctx.state.set(key, {**watching, "cursor": cursor_value(newest)})
            return []
        cursor = from_cursor(stored["cursor"]) if known else None
        if cursor is None:
            sql = f"SELECT * FROM {table} WHERE {column} IS NOT NULL ORDER BY {column} LIMIT {params.limit}"  # noqa: S608
            rows, _ = await _run(connection, sql, [], params.timeout_seconds)
        else:
            sql = f"SELECT * FROM {table} WHERE {column} > $1 ORDER BY {column} LIMIT {params.limit}"  # noqa: S608
            rows, _ = await _run(connection, sql, [cursor], params.timeout_seconds)
    if rows or not known:
        last = rows[-1][params.column] if rows else None
        await ctx.state.set(key, {**watching, "cursor": cursor_value(last)})
    return [row_bundle(row) for row in rows]
