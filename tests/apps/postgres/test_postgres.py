"""postgres.query, insert, update and watch_rows against the local server."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import asyncpg
import pytest

from scenarist.apps.sql.postgres import INSERT, QUERY, UPDATE, WATCH_ROWS, app
from scenarist.apps.sql.postgres import PostgresFields as DatabaseFields
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    InvalidConfigurationError,
    ModuleTimeoutError,
)
from tests.apps.conftest import MakeContext, RecordingEgress, RunModule
from tests.apps.postgres.conftest import HOST, PORT, connection_for


async def test_query_outputs_one_json_safe_bundle_per_row(run_module: RunModule, pg: dict[str, Any],
                                                          admin: asyncpg.Connection) -> None:
    sql = ("SELECT 1::int AS i, 12.50::numeric AS n, 0.1000000000000000055::numeric AS precise, "
           "'2024-03-05'::date AS d, '2024-03-05 14:30:00+00'::timestamptz AS ts, '\\x0102ff'::bytea AS b, "
           "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, '{\"k\": [1, true]}'::jsonb AS j, "
           "interval '90 seconds' AS iv, ARRAY[1, 2] AS arr, NULL::text AS nothing "
           "FROM generate_series(1, 2)")
    rows = await run_module(QUERY, {"sql": sql}, connection=pg)
    assert len(rows) == 2
    assert rows[0] == {
        "i": 1, "n": 12.5, "precise": "0.1000000000000000055", "d": "2024-03-05",
        "ts": "2024-03-05T14:30:00+00:00", "b": "AQL/", "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "j": {"k": [1, True]}, "iv": 90.0, "arr": [1, 2], "nothing": None,
    }


async def test_query_parameters_are_bound_never_pasted(run_module: RunModule, pg: dict[str, Any],
                                                        table: str, admin: asyncpg.Connection) -> None:
    hostile = "x'); DROP TABLE \"" + table + "\"; --"
    await admin.execute(f'INSERT INTO "{table}" (name) VALUES ($1), ($2)', hostile, "plain")
    rows = await run_module(QUERY, {"sql": f'SELECT name FROM "{table}" WHERE name = $1', "parameters": [hostile]},
                            connection=pg)
    assert rows == [{"name": hostile}]
    assert await admin.fetchval(f'SELECT count(*) FROM "{table}"') == 2


async def test_query_converts_text_parameters_to_the_inferred_types(run_module: RunModule,
                                                                    pg: dict[str, Any]) -> None:
    rows = await run_module(QUERY, {
        "sql": "SELECT $1::date + $2::int AS later, $3::numeric * 2 AS doubled, $4::timestamptz AS at, $5::bool AS b",
        "parameters": ["2024-03-05", "2", "1.25", "2024-03-05T10:00:00", "true"],
    }, connection=pg)
    assert rows == [{"later": "2024-03-07", "doubled": 2.5, "at": "2024-03-05T10:00:00+00:00", "b": True}]


async def test_query_parameter_that_does_not_fit_is_a_data_error(run_module: RunModule, pg: dict[str, Any]) -> None:
    with pytest.raises(DataError, match=r"\$1 \(int4\)"):
        await run_module(QUERY, {"sql": "SELECT $1::int AS n", "parameters": ["many"]}, connection=pg)


async def test_query_with_wrong_parameter_count_is_a_data_error(run_module: RunModule, pg: dict[str, Any]) -> None:
    with pytest.raises(DataError, match="1 parameter"):
        await run_module(QUERY, {"sql": "SELECT $1::int AS n", "parameters": []}, connection=pg)


async def test_query_stops_at_max_rows(run_module: RunModule, pg: dict[str, Any]) -> None:
    rows = await run_module(QUERY, {"sql": "SELECT g FROM generate_series(1, 50) g", "max_rows": 3}, connection=pg)
    assert rows == [{"g": 1}, {"g": 2}, {"g": 3}]


async def test_sql_error_is_a_data_error_with_the_server_message(run_module: RunModule, pg: dict[str, Any]) -> None:
    with pytest.raises(DataError, match='relation "no_such_table_here" does not exist'):
        await run_module(QUERY, {"sql": "SELECT * FROM no_such_table_here"}, connection=pg)


async def test_slow_statement_is_a_module_timeout(run_module: RunModule, pg: dict[str, Any]) -> None:
    with pytest.raises(ModuleTimeoutError):
        await run_module(QUERY, {"sql": "SELECT pg_sleep(3)", "timeout_seconds": 0.3}, connection=pg)


async def test_unknown_user_is_an_authentication_error(run_module: RunModule, admin: asyncpg.Connection) -> None:
    with pytest.raises(AuthenticationError, match="nobody_here"):
        await run_module(QUERY, {"sql": "SELECT 1"}, connection=connection_for(username="nobody_here"))


async def test_unknown_database_is_a_configuration_error(run_module: RunModule, admin: asyncpg.Connection) -> None:
    with pytest.raises(InvalidConfigurationError, match="does not exist"):
        await run_module(QUERY, {"sql": "SELECT 1"}, connection=connection_for(database="no_such_db_here"))


async def test_unreachable_server_is_a_connection_error(run_module: RunModule) -> None:
    with pytest.raises(ConnectionError, match="could not be reached"):
        await run_module(QUERY, {"sql": "SELECT 1"}, connection=connection_for(port=1))


async def test_default_tls_refuses_a_server_without_tls(run_module: RunModule, admin: asyncpg.Connection) -> None:
    connection = connection_for()
    del connection["fields"]["tls"]
    with pytest.raises(InvalidConfigurationError, match="does not offer TLS"):
        await run_module(QUERY, {"sql": "SELECT 1"}, connection=connection)


async def test_missing_connection_is_a_configuration_error(run_module: RunModule) -> None:
    with pytest.raises(InvalidConfigurationError, match=r"postgres\.database"):
        await run_module(QUERY, {"sql": "SELECT 1"})


async def test_connection_goes_to_the_address_the_egress_guard_returns(
    module_context: MakeContext, admin: asyncpg.Connection
) -> None:
    ctx = module_context("postgres.query", connection_for(host="db.invalid"))
    ctx.egress = RecordingEgress(HOST)
    rows = await QUERY.run(ctx, QUERY.params.model_validate({"sql": "SELECT 7 AS n"}))
    assert rows == [{"n": 7}]
    assert ctx.egress.asked == [("db.invalid", PORT)]


async def test_refused_destination_is_a_connection_error(module_context: MakeContext) -> None:
    ctx = module_context("postgres.query", connection_for())
    ctx.egress = RecordingEgress(None)
    with pytest.raises(ConnectionError, match="not an allowed destination"):
        await QUERY.run(ctx, QUERY.params.model_validate({"sql": "SELECT 1"}))


async def test_insert_outputs_the_stored_row(run_module: RunModule, pg: dict[str, Any], table: str) -> None:
    row = await run_module(INSERT, {"table": table, "row": {"name": "Ada", "amount": "19.90",
                                                             "extra": {"vip": True}, "select": "odd"}}, connection=pg)
    assert row["id"] == 1
    assert (row["name"], row["amount"], row["extra"], row["select"]) == ("Ada", 19.9, {"vip": True}, "odd")
    assert row["created"].endswith("+00:00")


async def test_insert_with_schema_qualified_table(run_module: RunModule, pg: dict[str, Any], table: str) -> None:
    row = await run_module(INSERT, {"table": f"public.{table}", "row": {}}, connection=pg)
    assert row["id"] == 1 and row["name"] is None


async def test_insert_quotes_identifiers(run_module: RunModule, pg: dict[str, Any], table: str,
                                         admin: asyncpg.Connection) -> None:
    with pytest.raises(DataError, match="does not exist"):
        await run_module(INSERT, {"table": table, "row": {'name") VALUES (1); DROP TABLE x; --': "v"}},
                         connection=pg)
    assert await admin.fetchval("SELECT to_regclass($1) IS NOT NULL", table)


async def test_update_outputs_rowcount_and_matches_null(run_module: RunModule, pg: dict[str, Any], table: str,
                                                        admin: asyncpg.Connection) -> None:
    await admin.execute(f'INSERT INTO "{table}" (name, amount) VALUES (\'a\', 1), (\'b\', NULL), (\'c\', NULL)')
    result = await run_module(UPDATE, {"table": table, "values": {"name": "none"}, "where": {"amount": None}},
                              connection=pg)
    assert result == {"rowcount": 2}
    result = await run_module(UPDATE, {"table": table, "values": {"amount": "5"}, "where": {"name": "a", "id": 1}},
                              connection=pg)
    assert result == {"rowcount": 1}
    assert await admin.fetchval(f'SELECT amount FROM "{table}" WHERE id = 1') == 5


def test_update_requires_a_condition() -> None:
    with pytest.raises(ValueError, match="where"):
        UPDATE.params.model_validate({"table": "t", "values": {"a": 1}, "where": {}})


async def _poll(ctx: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    return await WATCH_ROWS.run(ctx, WATCH_ROWS.params.model_validate(params))  # type: ignore[return-value]


async def test_watch_rows_from_now_returns_only_later_rows(module_context: MakeContext, pg: dict[str, Any],
                                                           table: str, admin: asyncpg.Connection) -> None:
    ctx = module_context("postgres.watch_rows", pg)
    await admin.execute(f'INSERT INTO "{table}" (name) VALUES (\'old\')')
    params = {"table": table, "column": "id"}
    assert await _poll(ctx, params) == []
    await admin.execute(f'INSERT INTO "{table}" (name) VALUES (\'new1\'), (\'new2\')')
    assert [r["name"] for r in await _poll(ctx, params)] == ["new1", "new2"]
    assert await _poll(ctx, params) == []


async def test_watch_rows_from_all_pages_by_limit(module_context: MakeContext, pg: dict[str, Any],
                                                  table: str, admin: asyncpg.Connection) -> None:
    ctx = module_context("postgres.watch_rows", pg)
    await admin.executemany(f'INSERT INTO "{table}" (name) VALUES ($1)', [(f"r{i}",) for i in range(5)])
    params = {"table": table, "column": "id", "start": "all", "limit": 2}
    pages = [[r["name"] for r in await _poll(ctx, params)] for _ in range(4)]
    assert pages == [["r0", "r1"], ["r2", "r3"], ["r4"], []]


async def test_watch_rows_on_an_empty_table_from_now_sees_the_first_row(
    module_context: MakeContext, pg: dict[str, Any], table: str, admin: asyncpg.Connection
) -> None:
    ctx = module_context("postgres.watch_rows", pg)
    params = {"table": table, "column": "id"}
    assert await _poll(ctx, params) == []
    await admin.execute(f'INSERT INTO "{table}" (name) VALUES (\'first\')')
    assert [r["name"] for r in await _poll(ctx, params)] == ["first"]


async def test_watch_rows_by_timestamp(module_context: MakeContext, pg: dict[str, Any], table: str,
                                       admin: asyncpg.Connection) -> None:
    ctx = module_context("postgres.watch_rows", pg)
    await admin.execute(f"INSERT INTO \"{table}\" (name, created) VALUES ('a', '2024-01-01T00:00:00Z'), "
                        "('b', '2024-01-02T00:00:00Z')")
    params = {"table": table, "column": "created", "start": "all"}
    assert [r["name"] for r in await _poll(ctx, params)] == ["a", "b"]
    await admin.execute(f"INSERT INTO \"{table}\" (name, created) VALUES ('c', '2024-01-03T00:00:00Z')")
    assert [r["name"] for r in await _poll(ctx, params)] == ["c"]


async def test_connection_test_reports_the_server(admin: asyncpg.Connection) -> None:
    test = app.connection_types[0].test
    assert test is not None
    message = await test(connection_for()["fields"])
    assert "PostgreSQL" in message and "plain" in message


def test_tls_modes_build_the_expected_contexts() -> None:
    base = {"host": "db.example.com", "database": "d", "username": "u"}
    require = DatabaseFields.model_validate(base).tls_context()
    full = DatabaseFields.model_validate({**base, "tls": "verify-full"}).tls_context()
    assert require is not None and require.verify_mode == ssl.CERT_NONE and not require.check_hostname
    assert full is not None and full.verify_mode == ssl.CERT_REQUIRED and full.check_hostname
    assert require.pinned_hostname == full.pinned_hostname == "db.example.com"
    assert DatabaseFields.model_validate({**base, "tls": "disable"}).tls_context() is None


def test_password_is_the_secret_field() -> None:
    assert app.connection_types[0].secret_fields == ("password",)


async def test_statements_do_not_leak_sessions(run_module: RunModule, pg: dict[str, Any],
                                               admin: asyncpg.Connection) -> None:
    before = await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = 'test'")
    await asyncio.gather(*(run_module(QUERY, {"sql": "SELECT 1 AS one"}, connection=pg) for _ in range(5)))
    after = await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = 'test'")
    assert after <= before
