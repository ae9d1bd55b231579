"""What only the SQL store has: migrations, SQLite settings, stored encodings, erasure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from scenarist.store import open_store
from scenarist.store.database import alembic_config, async_url
from scenarist.store.memory import MemoryStore
from scenarist.store.ports import RetentionWindows
from scenarist.store.schema import activity_batches, gateway_logs, metadata
from scenarist.store.sql import SqlStore
from tests.store.store_records import (
    T0,
    A,
    activity,
    gateway_log,
    stored_execution,
    stored_scenario,
)

CANARY = "canary-7f3a9c-never-on-disk"
TABLES = {t.name for t in metadata.sorted_tables}


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
