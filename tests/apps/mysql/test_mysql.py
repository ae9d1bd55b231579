"""mysql.query, insert, update and watch_rows against the local MariaDB."""

from __future__ import annotations

import json
from typing import Any

import pytest

from scenarist.apps.sql.mysql import INSERT, QUERY, UPDATE, WATCH_ROWS, app, time_text
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    InvalidConfigurationError,
    ModuleTimeoutError,
)
from tests.apps.conftest import MakeContext, RecordingEgress, RunModule
from tests.apps.mysql.conftest import HOST, PORT, Admin, connection_for


async def test_query_outputs_one_json_safe_bundle_per_row(run_module: RunModule, my: dict[str, Any],
                                                          admin: Admin) -> None:
    sql = ("SELECT 1 AS i, CAST(12.50 AS DECIMAL(10, 2)) AS n, CAST('0.1000000000000000055' AS DECIMAL(30, 19)) "
           "AS precise, DATE '2024-03-05' AS d, TIMESTAMP '2024-03-05 14:30:00' AS ts, TIME '-01:02:03' AS t, "
           "x'0102ff' AS b, NULL AS nothing, 'žluťoučký' AS txt UNION ALL SELECT 2, 0, 0, NULL, NULL, NULL, "
           "NULL, NULL, ''")
    rows = await run_module(QUERY, {"sql": sql}, connection=my)
    assert len(rows) == 2
    assert rows[0] == {"i": 1, "n": 12.5, "precise": "0.1000000000000000055", "d": "2024-03-05",
                       "ts": "2024-03-05T14:30:00", "t": "-01:02:03", "b": "AQL/", "nothing": None,
                       "txt": "žluťoučký"}


async def test_query_parameters_are_escaped_never_pasted(run_module: RunModule, my: dict[str, Any],
                                                          table: str, admin: Admin) -> None:
    hostile = "x'); DROP TABLE `" + table + "`; -- \\"
    await admin.execute(f"INSERT INTO `{table}` (name) VALUES (%s), (%s)", (hostile, "plain"))
    rows = await run_module(QUERY, {"sql": f"SELECT name FROM `{table}` WHERE name = %s", "parameters": [hostile]},
                            connection=my)
    assert rows == [{"name": hostile}]
    assert await admin.fetchval(f"SELECT count(*) FROM `{table}`") == 2


async def test_query_list_and_object_parameters_travel_as_json(run_module: RunModule, my: dict[str, Any],
                                                                 table: str, admin: Admin) -> None:
    await admin.execute(f"INSERT INTO `{table}` (name) VALUES ('a'), ('b'), ('c')")
    rows = await run_module(QUERY, {
        "sql": f"SELECT name FROM `{table}` WHERE JSON_CONTAINS(%s, JSON_QUOTE(name)) ORDER BY name",
        "parameters": [["a", "c"]]}, connection=my)
    assert rows == [{"name": "a"}, {"name": "c"}]
    echoed = await run_module(QUERY, {"sql": "SELECT JSON_VALUE(%s, '$.k') AS k", "parameters": [{"k": "v"}]},
                              connection=my)
    assert echoed == [{"k": "v"}]


async def test_query_without_parameters_keeps_percent_signs(run_module: RunModule, my: dict[str, Any],
                                                            admin: Admin) -> None:
    rows = await run_module(QUERY, {"sql": "SELECT '100%' AS p"}, connection=my)
    assert rows == [{"p": "100%"}]


async def test_query_stops_at_max_rows(run_module: RunModule, my: dict[str, Any], admin: Admin) -> None:
    rows = await run_module(QUERY, {"sql": "SELECT seq AS g FROM seq_1_to_50", "max_rows": 2}, connection=my)
    assert rows == [{"g": 1}, {"g": 2}]


async def test_sql_error_is_a_data_error_with_the_server_message(run_module: RunModule, my: dict[str, Any],
                                                                 admin: Admin) -> None:
    with pytest.raises(DataError, match="no_such_table_here' doesn't exist"):
        await run_module(QUERY, {"sql": "SELECT * FROM no_such_table_here"}, connection=my)


async def test_slow_statement_is_a_module_timeout(run_module: RunModule, my: dict[str, Any], admin: Admin) -> None:
    with pytest.raises(ModuleTimeoutError):
        await run_module(QUERY, {"sql": "SELECT SLEEP(3)", "timeout_seconds": 0.5}, connection=my)


async def test_wrong_password_is_an_authentication_error(run_module: RunModule, admin: Admin) -> None:
    with pytest.raises(AuthenticationError, match="Access denied"):
        await run_module(QUERY, {"sql": "SELECT 1"}, connection=connection_for(username="nobody_here",
                                                                               password="wrong"))


async def test_unknown_database_is_a_configuration_error(run_module: RunModule, admin: Admin) -> None:
    with pytest.raises(InvalidConfigurationError, match="Unknown database"):
        await run_module(QUERY, {"sql": "SELECT 1"}, connection=connection_for(database="no_such_db_here"))


async def test_unreachable_server_is_a_connection_error(run_module: RunModule) -> None:
    with pytest.raises(ConnectionError, match="could not be reached"):
        await run_module(QUERY, {"sql": "SELECT 1"}, connection=connection_for(port=1))


async def test_default_tls_refuses_a_server_without_tls(run_module: RunModule, admin: Admin) -> None:
    connection = connection_for()
    del connection["fields"]["tls"]
    with pytest.raises(InvalidConfigurationError, match="does not offer TLS"):
        await run_module(QUERY, {"sql": "SELECT 1"}, connection=connection)


async def test_connection_goes_to_the_address_the_egress_guard_returns(module_context: MakeContext,
                                                                       admin: Admin) -> None:
    ctx = module_context("mysql.query", connection_for(host="db.invalid"))
    ctx.egress = RecordingEgress(HOST)
    rows = await QUERY.run(ctx, QUERY.params.model_validate({"sql": "SELECT 7 AS n"}))
    assert rows == [{"n": 7}]
    assert ctx.egress.asked == [("db.invalid", PORT)]


async def test_refused_destination_is_a_connection_error(module_context: MakeContext) -> None:
    ctx = module_context("mysql.query", connection_for())
    ctx.egress = RecordingEgress(None)
    with pytest.raises(ConnectionError, match="not an allowed destination"):
        await QUERY.run(ctx, QUERY.params.model_validate({"sql": "SELECT 1"}))


async def test_insert_outputs_rowcount_and_last_id(run_module: RunModule, my: dict[str, Any], table: str,
                                                   admin: Admin) -> None:
    first = await run_module(INSERT, {"table": table, "row": {"name": "Ada", "amount": "19.90",
                                                               "extra": {"vip": True}, "select": "odd"}}, connection=my)
    second = await run_module(INSERT, {"table": f"test.{table}", "row": {}}, connection=my)
    assert first == {"rowcount": 1, "last_id": 1}
    assert second == {"rowcount": 1, "last_id": 2}
    assert json.loads(await admin.fetchval(f"SELECT extra FROM `{table}` WHERE id = 1")) == {"vip": True}


async def test_insert_quotes_identifiers(run_module: RunModule, my: dict[str, Any], table: str,
                                         admin: Admin) -> None:
    with pytest.raises(DataError, match="Unknown column"):
        await run_module(INSERT, {"table": table, "row": {"name`) VALUES (1); DROP TABLE x; --": "v"}},
                         connection=my)
    assert await admin.fetchval("SELECT count(*) FROM information_schema.tables WHERE table_name = %s", table) == 1


async def test_constraint_violation_is_a_data_error(run_module: RunModule, my: dict[str, Any], table: str) -> None:
    await run_module(INSERT, {"table": table, "row": {"id": 5}}, connection=my)
    with pytest.raises(DataError, match="Duplicate entry"):
        await run_module(INSERT, {"table": table, "row": {"id": 5}}, connection=my)


async def test_update_counts_matched_rows_and_matches_null(run_module: RunModule, my: dict[str, Any], table: str,
                                                           admin: Admin) -> None:
    await admin.execute(f"INSERT INTO `{table}` (name, amount) VALUES ('a', 1), ('b', NULL), ('c', NULL)")
    result = await run_module(UPDATE, {"table": table, "values": {"name": "none"}, "where": {"amount": None}},
                              connection=my)
    assert result == {"rowcount": 2}
    again = await run_module(UPDATE, {"table": table, "values": {"name": "none"}, "where": {"amount": None}},
                             connection=my)
    assert again == {"rowcount": 2}
    await run_module(UPDATE, {"table": table, "values": {"amount": "5.5"}, "where": {"name": "a", "id": 1}},
                     connection=my)
    assert str(await admin.fetchval(f"SELECT amount FROM `{table}` WHERE id = 1")) == "5.50"


async def _poll(ctx: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    return await WATCH_ROWS.run(ctx, WATCH_ROWS.params.model_validate(params))  # type: ignore[return-value]


async def test_watch_rows_from_now_returns_only_later_rows(module_context: MakeContext, my: dict[str, Any],
                                                           table: str, admin: Admin) -> None:
    ctx = module_context("mysql.watch_rows", my)
    await admin.execute(f"INSERT INTO `{table}` (name) VALUES ('old')")
    params = {"table": table, "column": "id"}
    assert await _poll(ctx, params) == []
    await admin.execute(f"INSERT INTO `{table}` (name) VALUES ('new1'), ('new2')")
    assert [r["name"] for r in await _poll(ctx, params)] == ["new1", "new2"]
    assert await _poll(ctx, params) == []


async def test_watch_rows_from_all_pages_by_limit(module_context: MakeContext, my: dict[str, Any],
                                                  table: str, admin: Admin) -> None:
    ctx = module_context("mysql.watch_rows", my)
    for i in range(5):
        await admin.execute(f"INSERT INTO `{table}` (name) VALUES (%s)", (f"r{i}",))
    params = {"table": table, "column": "id", "start": "all", "limit": 2}
    pages = [[r["name"] for r in await _poll(ctx, params)] for _ in range(4)]
    assert pages == [["r0", "r1"], ["r2", "r3"], ["r4"], []]


async def test_watch_rows_by_datetime(module_context: MakeContext, my: dict[str, Any], table: str,
                                      admin: Admin) -> None:
    ctx = module_context("mysql.watch_rows", my)
    await admin.execute(f"INSERT INTO `{table}` (name, created) VALUES ('a', '2024-01-01 00:00:00'), "
                        "('b', '2024-01-02 00:00:00')")
    params = {"table": table, "column": "created", "start": "all"}
    assert [r["name"] for r in await _poll(ctx, params)] == ["a", "b"]
    assert ctx.state.values[f"mysql.watch_rows:{ctx.step_id}"]["cursor"] == {"datetime": "2024-01-02T00:00:00"}
    await admin.execute(f"INSERT INTO `{table}` (name, created) VALUES ('c', '2024-01-03 00:00:00')")
    assert [r["name"] for r in await _poll(ctx, params)] == ["c"]


async def test_watch_rows_on_a_changed_table_starts_over(module_context: MakeContext, my: dict[str, Any],
                                                         table: str, admin: Admin) -> None:
    ctx = module_context("mysql.watch_rows", my)
    await admin.execute(f"INSERT INTO `{table}` (name) VALUES ('a')")
    await _poll(ctx, {"table": table, "column": "id", "start": "all"})
    assert [r["name"] for r in await _poll(ctx, {"table": table, "column": "created", "start": "all"})] == ["a"]


async def test_connection_test_reports_the_server(admin: Admin) -> None:
    test = app.connection_types[0].test
    assert test is not None
    message = await test(connection_for()["fields"])
    assert "MariaDB" in message or "connected to" in message
    assert "plain" in message


def test_time_values_render_as_clock_text() -> None:
    import datetime as dt

    assert time_text(dt.timedelta(hours=25, seconds=1, microseconds=5)) == "25:00:01.000005"
    assert time_text(-dt.timedelta(minutes=1)) == "-00:01:00"
