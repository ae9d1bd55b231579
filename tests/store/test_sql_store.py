"""What only the SQL store has: migrations, SQLite settings, stored encodings, erasure, query plans."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from scenarist.store import open_store
from scenarist.store.database import alembic_config, async_url, head_revision, make_engine
from scenarist.store.memory import MemoryStore
from scenarist.store.ports import RetentionWindows, Store
from scenarist.store.schema import activity_batches, executions, gateway_logs, metadata, scenarios
from scenarist.store.sql import SqlStore
from scenarist.types import RunStatus
from tests.store.conftest import Backend
from tests.store.store_records import CANARY as PERSONAL
from tests.store.store_records import (
    SECOND,
    T0,
    A,
    B,
    activity,
    gateway_log,
    populate,
    stored_execution,
    stored_scenario,
    webhook_runs,
)

CANARY = "canary-7f3a9c-never-on-disk"
TABLES = {t.name for t in metadata.sorted_tables}
SQL_BACKENDS = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
async def sqlite_store(sqlite_url: str) -> AsyncIterator[SqlStore]:
    store = await SqlStore.open(sqlite_url)
    yield store
    await store.close()


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_head_revision_is_known_without_alembic() -> None:
    assert head_revision() == _head()


def _schema_report(connection: Connection) -> tuple[set[str], str | None, list[object]]:
    tables = set(sa.inspect(connection).get_table_names())
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return tables, context.get_current_revision(), compare_metadata(context, metadata)


async def _check_migrated(store: SqlStore) -> None:
    async with store.engine.connect() as conn:
        tables, revision, differences = await conn.run_sync(_schema_report)
    assert tables >= TABLES
    assert revision == _head()
    assert differences == []


# migrations


async def test_migration_creates_the_schema_on_a_fresh_sqlite_database(sqlite_url: str) -> None:
    store = await SqlStore.open(sqlite_url)
    try:
        await _check_migrated(store)
    finally:
        await store.close()


async def test_opening_a_migrated_sqlite_database_again_keeps_its_data(sqlite_url: str) -> None:
    first = await SqlStore.open(sqlite_url)
    parent = await stored_scenario(first)
    await first.close()
    second = await SqlStore.open(sqlite_url)
    try:
        await _check_migrated(second)
        assert await second.get_scenario(A, parent.id) == parent
    finally:
        await second.close()


@pytest.mark.postgres
async def test_migration_creates_the_schema_on_postgres_and_reopens(postgres_url: str, postgres_schema: str) -> None:
    for _ in range(2):
        store = await SqlStore.open(postgres_url, schema=postgres_schema)
        try:
            await _check_migrated(store)
        finally:
            await store.close()


# SQLite settings and URLs


async def test_every_sqlite_connection_has_the_durability_pragmas(sqlite_store: SqlStore) -> None:
    async with sqlite_store.engine.connect() as conn:
        values = [
            (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "secure_delete", "foreign_keys")
        ]
        busy = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    assert values == ["wal", 2, 1, 1]
    assert busy is not None and busy > 0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/s.db", "sqlite+aiosqlite:///data/s.db"),
        ("sqlite+aiosqlite:///data/s.db", "sqlite+aiosqlite:///data/s.db"),
        ("postgresql://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_urls_map_to_the_async_drivers(given: str, expected: str) -> None:
    assert async_url(given).render_as_string(hide_password=False) == expected


async def test_open_store_picks_the_implementation(sqlite_url: str) -> None:
    assert isinstance(await open_store("memory://"), MemoryStore)
    store = await open_store(sqlite_url.replace("+aiosqlite", ""))
    try:
        assert isinstance(store, SqlStore)
    finally:
        await store.close()


async def test_schema_names_are_checked() -> None:
    with pytest.raises(ValueError, match="schema"):
        await SqlStore.open("postgresql://u@127.0.0.1/db", schema='x"; DROP TABLE y; --')


# stored encodings


async def test_an_activity_batch_is_one_compressed_row(sqlite_store: SqlStore) -> None:
    run = await stored_execution(sqlite_store, await stored_scenario(sqlite_store))
    await sqlite_store.append_activity(run.id, [activity(i) for i in range(300)])
    await sqlite_store.append_activity(run.id, [activity(1)])
    query = sa.select(activity_batches.c.seq, activity_batches.c.count, activity_batches.c.data)
    async with sqlite_store.engine.connect() as conn:
        rows = (await conn.execute(query.order_by(activity_batches.c.seq))).all()
    assert [(r.seq, r.count, r.data[:1]) for r in rows] == [(1, 300, b"Z"), (2, 1, b"J")]


async def test_large_gateway_bodies_are_stored_compressed(sqlite_store: SqlStore) -> None:
    await sqlite_store.add_gateway_log(gateway_log(request_body=b"a" * 10_000))
    async with sqlite_store.engine.connect() as conn:
        body = (await conn.execute(sa.select(gateway_logs.c.request_body))).scalar_one()
    assert body[:1] == b"Z"
    assert len(body) < 1000


# erasure


async def _file_bytes(store: SqlStore, path: Path) -> bytes:
    async with store.engine.connect() as conn:
        await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.read_bytes()


async def test_deleted_and_purged_data_leaves_no_trace_in_the_sqlite_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "erase.db"
    store = await SqlStore.open(f"sqlite:///{path}")
    try:
        deleted = await stored_scenario(store, at=T0)
        purged = await stored_scenario(store, at=T0)
        for parent in (deleted, purged):
            run = await stored_execution(store, parent, at=T0, trigger_input={"body": CANARY})
            await store.append_activity(run.id, [activity(input={"secret": CANARY})])
        assert CANARY.encode() in await _file_bytes(store, path)

        assert await store.delete_scenario(A, deleted.id)
        windows = RetentionWindows(activity_days=1, runs_days=10_000)
        counts = await store.purge(T0 + timedelta(days=100), windows)
        assert counts["activity"] == 1

        assert CANARY.encode() not in await _file_bytes(store, path)
    finally:
        await store.close()


async def _snapshot(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted."""
    async with store.engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(repr, row)) for row in (await conn.execute(sa.select(table))).all())
            for table in metadata.sorted_tables
        }


@SQL_BACKENDS
async def test_delete_account_empties_every_table_of_it_and_touches_no_other_row(store: Store) -> None:
    assert isinstance(store, SqlStore)
    await populate(store, B)
    others = await _snapshot(store)
    await populate(store, A)
    before = await _snapshot(store)
    assert all(len(before[name]) > len(others[name]) for name in TABLES), "A has a row in every table"

    assert await store.delete_account(A) is True

    assert await _snapshot(store) == others


async def test_a_deleted_account_leaves_no_trace_in_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "erase.db"
    store = await SqlStore.open(f"sqlite:///{path}")
    try:
        await populate(store, A)
        await populate(store, B)
        email = f"{A}@Example.com"
        traces = [email.encode(), email.lower().encode(), f"{PERSONAL} {A}".encode(), f"hook-{A}".encode()]
        content = await _file_bytes(store, path)
        assert all(trace in content for trace in traces)

        assert await store.delete_account(A)

        content = await _file_bytes(store, path)
        assert [trace for trace in traces if trace in content] == []
        assert f"{PERSONAL} {B}".encode() in content
        wal = path.with_name(path.name + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
    finally:
        await store.close()


# migrating data from revision 0001


@pytest.fixture
async def engine_at_0001(backend: Backend) -> AsyncIterator[AsyncEngine]:
    """An engine whose database is at revision 0001 (before accounts and the queue)."""
    engine = make_engine(backend.url, schema=backend.schema)

    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")

    async with engine.begin() as conn:
        if backend.schema:
            await conn.exec_driver_sql(f'CREATE SCHEMA "{backend.schema}"')
        await conn.run_sync(upgrade)
    yield engine
    await engine.dispose()


_OLD_SCENARIO = (
    "INSERT INTO scenarios (id, account_id, name, definition, active, created_at, updated_at, consecutive_errors)"
    " VALUES ('s1', 'account-a', 'Old', '{}', :yes, :t, :t, 0)"
)
_OLD_RUN = (
    "INSERT INTO executions (id, account_id, scenario_id, status, created_at, operations, confidential)"
    " VALUES (:id, 'account-a', 's1', 'queued', :t, 0, :no)"
)


@SQL_BACKENDS
async def test_upgrading_numbers_existing_runs_in_creation_order(backend: Backend, engine_at_0001: AsyncEngine) -> None:
    naive = backend.name == "sqlite"
    times = {"r1": T0 + 2 * SECOND, "r2": T0, "r3": T0 + SECOND}
    async with engine_at_0001.begin() as conn:
        t0 = T0.replace(tzinfo=None) if naive else T0
        await conn.execute(sa.text(_OLD_SCENARIO), {"yes": True, "t": t0})
        for run_id, when in times.items():
            await conn.execute(
                sa.text(_OLD_RUN), {"id": run_id, "no": False, "t": when.replace(tzinfo=None) if naive else when}
            )

    store = await SqlStore.open(backend.url, schema=backend.schema)
    try:
        await _check_migrated(store)
        parent = await store.get_scenario(A, "s1")
        assert parent is not None and parent.hook_token is None
        new = webhook_runs(parent, 1)
        await store.enqueue_executions(new)
        queued = await store.list_queued()
        assert [r.id for r in queued] == ["r2", "r3", "r1", new[0].id]
        assert {r.trigger_event for r in queued[:3]} == {"manual"}
    finally:
        await store.close()


# query plans


async def _sqlite_plan(store: SqlStore, statement: sa.Executable) -> str:
    async with store.engine.connect() as conn:
        compiled = statement.compile(conn.sync_engine, compile_kwargs={"literal_binds": True})
        rows = (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return " | ".join(row[-1] for row in rows)


async def test_list_queued_walks_the_queue_index_in_order(sqlite_store: SqlStore) -> None:
    c = executions.c
    query = (
        sa.select(c.id)
        .join(scenarios, sa.and_(scenarios.c.id == c.scenario_id, scenarios.c.account_id == c.account_id))
        .where(c.status == RunStatus.QUEUED.value, scenarios.c.active.is_(True))
        .order_by(c.queue_seq, c.id)
        .limit(10)
    )
    plan = await _sqlite_plan(sqlite_store, query)
    assert "ix_executions_status_queue_seq" in plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan


async def test_count_queued_reads_only_an_index(sqlite_store: SqlStore) -> None:
    c = executions.c
    query = sa.select(sa.func.count()).where(c.scenario_id == "s1", c.status == RunStatus.QUEUED.value)
    assert "COVERING INDEX ix_executions_scenario_id_status" in await _sqlite_plan(sqlite_store, query)
