"""The SQL modules (query, insert, update, watch_rows) and the app, built for one dialect.

Every value travels as a statement parameter; table and column names are
quoted identifiers (embedded quotes doubled), never pasted values.
"""

from __future__ import annotations

from typing import Any

from scenarist.apps.sql._dialect import Dialect
from scenarist.apps.sql._params import InsertParams, QueryParams, UpdateParams, WatchRowsParams, params_models
from scenarist.apps.sql._values import cursor_value, from_cursor, row_bundle
from scenarist.sdk import JSON, App, Bundle, ModuleSpec, RunContext


class _Modules:
    """The run functions of the four modules, bound to one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    async def query(self, ctx: RunContext, params: QueryParams) -> list[Bundle]:
        """Run the statement; one bundle per returned row."""
        outcome = await self.dialect.execute(ctx, params.sql, params.parameters, params.timeout_seconds)
        return [row_bundle(row, self.dialect.duration) for row in outcome.rows[: params.max_rows]]

    async def insert(self, ctx: RunContext, params: InsertParams) -> Bundle:
        """Insert one row; the output is the dialect's (the row as stored, or its count and id)."""
        d = self.dialect
        sql = d.insert_statement(d.quote_table(params.table), [d.quote_identifier(name) for name in params.row])
        outcome = await d.execute(ctx, sql, list(params.row.values()), params.timeout_seconds)
        return d.inserted(outcome)

    def _where(self, conditions: dict[str, Any], first_slot: int) -> tuple[str, list[JSON]]:
        clauses, values = [], []
        for name, value in conditions.items():
            column = self.dialect.quote_identifier(name)
            if value is None:
                clauses.append(f"{column} IS NULL")
            else:
                values.append(value)
                clauses.append(f"{column} = {self.dialect.placeholder(first_slot + len(values) - 1)}")
        return " AND ".join(clauses), values

    async def update(self, ctx: RunContext, params: UpdateParams) -> Bundle:
        """Update the matching rows; ``{rowcount}``."""
        d = self.dialect
        columns = [d.quote_identifier(name) for name in params.values]
        slots = d.slots(len(columns))
        assignments = ", ".join(f"{column} = {slot}" for column, slot in zip(columns, slots, strict=True))
        condition, where_values = self._where(params.where, len(params.values) + 1)
        sql = f"UPDATE {d.quote_table(params.table)} SET {assignments} WHERE {condition}"  # noqa: S608
        outcome = await d.execute(ctx, sql, [*params.values.values(), *where_values], params.timeout_seconds)
        return {"rowcount": outcome.rowcount}

    async def watch_rows(self, ctx: RunContext, params: WatchRowsParams) -> list[Bundle]:
        """Rows whose ``column`` is above the stored cursor, oldest first; the cursor moves to the last one."""
        d = self.dialect
        key = f"{d.key}.watch_rows:{ctx.step_id}"
        stored = await ctx.state.get(key)
        watching = {"table": params.table, "column": params.column}
        known = isinstance(stored, dict) and all(stored.get(k) == v for k, v in watching.items())
        table, column = d.quote_table(params.table), d.quote_identifier(params.column)
        if not known and params.start == "now":
            sql = f"SELECT max({column}) AS newest FROM {table}"  # noqa: S608
            outcome = await d.execute(ctx, sql, [], params.timeout_seconds)
            await ctx.state.set(key, {**watching, "cursor": cursor_value(outcome.rows[0]["newest"], d.duration)})
            return []
        cursor = from_cursor(stored["cursor"]) if known else None
        order = f"ORDER BY {column} LIMIT {params.limit}"
        if cursor is None:
            sql = f"SELECT * FROM {table} WHERE {column} IS NOT NULL {order}"  # noqa: S608
            outcome = await d.execute(ctx, sql, [], params.timeout_seconds)
        else:
            sql = f"SELECT * FROM {table} WHERE {column} > {d.placeholder(1)} {order}"  # noqa: S608
            outcome = await d.execute(ctx, sql, [cursor], params.timeout_seconds)
        rows = outcome.rows
        if rows or not known:
            last = rows[-1][params.column] if rows else None
            await ctx.state.set(key, {**watching, "cursor": cursor_value(last, d.duration)})
        return [row_bundle(row, d.duration) for row in rows]


def build_app(dialect: Dialect) -> App:
    """The app of ``dialect``: its connection type and the four modules."""
    run = _Modules(dialect)
    models = params_models(dialect.params)
    connections = (dialect.connection_type.key,)
    common: dict[str, Any] = {"connection_types": connections, "connection_required": True}
    modules = (
        ModuleSpec(key="query", label="Run a query", description=dialect.query_description,
                   params=models.query, run=run.query, kind="search", **common),
        ModuleSpec(key="insert", label="Insert a row", description=dialect.insert_description,
                   params=models.insert, run=run.insert, kind="action", **common),
        ModuleSpec(key="update", label="Update rows",
                   description="Set columns on the rows that match every equality in where; outputs {rowcount}.",
                   params=models.update, run=run.update, kind="action", **common),
        ModuleSpec(key="watch_rows", label="Watch new rows",
                   description="Output the rows added since the last poll, found by a column that only grows "
                   "(id or timestamp).",
                   params=models.watch_rows, run=run.watch_rows, kind="search", polling=True, **common),
    )
    return App(key=dialect.key, label=dialect.label, description=dialect.description, modules=modules,
               connection_types=(dialect.connection_type,))
