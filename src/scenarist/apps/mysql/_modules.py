"""The MySQL modules: query, insert, update and watch_rows.

Every value is a ``%s`` parameter escaped by the driver; table and column
names are quoted identifiers (`` `name` ``, embedded backticks doubled).
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiomysql

from scenarist.apps.mysql._connection import connect, fields_of
from scenarist.apps.mysql._params import InsertParams, QueryParams, UpdateParams, WatchRowsParams
from scenarist.apps.mysql._values import cursor_value, from_cursor, parameter, row_bundle
from scenarist.sdk import InvalidConfigurationError, ModuleTimeoutError, RunContext
from scenarist.types import Bundle


class _QuietDictCursor(aiomysql.DictCursor):  # type: ignore[misc]
    """A dict cursor that keeps the server's warnings instead of raising Python warnings."""

    server_warnings: list[str]

    async def _show_warnings(self, conn: aiomysql.Connection) -> None:
        if self._result and self._result.has_next:
            return
        rows = await conn.show_warnings()
        self.server_warnings = [str(row[-1]) for row in rows or ()]


def quote_identifier(name: str) -> str:
    """``name`` as a quoted MySQL identifier."""
    if not name or "\x00" in name or name != name.rstrip():
        raise InvalidConfigurationError(f"{name!r} is not a usable identifier")
    return "`" + name.replace("`", "``") + "`"


def quote_table(name: str) -> str:
    """A table name, ``database.table`` or ``table``, quoted part by part."""
    parts = name.split(".")
    if len(parts) > 2:
        raise InvalidConfigurationError(f"table {name!r}: give table or database.table")
    return ".".join(quote_identifier(part) for part in parts)


async def _execute(ctx: RunContext, sql: str, args: list[Any] | None, seconds: float) -> tuple[list[Any], int, int]:
    """Run one statement; its rows, rowcount and last insert id."""
    async with connect(fields_of(ctx.connection), ctx.egress, seconds) as connection:
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
        return list(rows or ()), cursor.rowcount, cursor.lastrowid or 0


async def query(ctx: RunContext, params: QueryParams) -> list[Bundle]:
    """Run the statement; one bundle per returned row."""
    args = [parameter(v) for v in params.parameters] if params.parameters else None
    rows, _, _ = await _execute(ctx, params.sql, args, params.timeout_seconds)
    return [row_bundle(row) for row in rows[: params.max_rows]]


async def insert(ctx: RunContext, params: InsertParams) -> Bundle:
    """Insert one row; ``{rowcount, last_id}`` (``last_id``: the AUTO_INCREMENT value, 0 without one)."""
    columns = ", ".join(quote_identifier(name) for name in params.row)
    slots = ", ".join(["%s"] * len(params.row))
    sql = f"INSERT INTO {quote_table(params.table)} ({columns}) VALUES ({slots})"  # noqa: S608 (identifiers quoted)
    args = [parameter(v) for v in params.row.values()]
    _, rowcount, last_id = await _execute(ctx, sql, args or None, params.timeout_seconds)
    return {"rowcount": rowcount, "last_id": last_id}


def _where(conditions: dict[str, Any]) -> tuple[str, list[Any]]:
    clauses, values = [], []
    for name, value in conditions.items():
        if value is None:
            clauses.append(f"{quote_identifier(name)} IS NULL")
        else:
            values.append(parameter(value))
            clauses.append(f"{quote_identifier(name)} = %s")
    return " AND ".join(clauses), values


async def update(ctx: RunContext, params: UpdateParams) -> Bundle:
    """Update the matching rows; ``{rowcount}`` counts the rows matched, changed or not."""
    assignments = ", ".join(f"{quote_identifier(name)} = %s" for name in params.values)
    condition, where_values = _where(params.where)
    sql = f"UPDATE {quote_table(params.table)} SET {assignments} WHERE {condition}"  # noqa: S608
    args = [*(parameter(v) for v in params.values.values()), *where_values]
    _, rowcount, _ = await _execute(ctx, sql, args, params.timeout_seconds)
    return {"rowcount": rowcount}


async def watch_rows(ctx: RunContext, params: WatchRowsParams) -> list[Bundle]:
    """Rows whose ``column`` is above the stored cursor, oldest first; the cursor moves to the last one."""
    key = f"mysql.watch_rows:{ctx.step_id}"
    stored = await ctx.state.get(key)
    watching = {"table": params.table, "column": params.column}
    known = isinstance(stored, dict) and all(stored.get(k) == v for k, v in watching.items())
    table, column = quote_table(params.table), quote_identifier(params.column)
    if not known and params.start == "now":
        rows, _, _ = await _execute(ctx, f"SELECT max({column}) AS newest FROM {table}",  # noqa: S608
                                    None, params.timeout_seconds)
        await ctx.state.set(key, {**watching, "cursor": cursor_value(rows[0]["newest"])})
        return []
    cursor = from_cursor(stored["cursor"]) if known else None
    if cursor is None:
        sql = f"SELECT * FROM {table} WHERE {column} IS NOT NULL ORDER BY {column} LIMIT {params.limit}"  # noqa: S608
        rows, _, _ = await _execute(ctx, sql, None, params.timeout_seconds)
    else:
        sql = f"SELECT * FROM {table} WHERE {column} > %s ORDER BY {column} LIMIT {params.limit}"  # noqa: S608
        rows, _, _ = await _execute(ctx, sql, [cursor], params.timeout_seconds)
    if rows or not known:
        last = rows[-1][params.column] if rows else None
        await ctx.state.set(key, {**watching, "cursor": cursor_value(last)})
    return [row_bundle(row) for row in rows]
