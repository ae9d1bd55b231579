"""``SqliteWriter``: the SQLite store's hot writes, one hand-off and one commit per batch."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.dialects import sqlite

from scenarist.store.schema import UtcDateTime
from scenarist.store.sql import SqlStore
from scenarist.store.sqlite_writer import SqliteWriter
from scenarist.store.sqlite_writes import sqlite_time
from tests.store.store_records import A, gateway_log, stored_scenario, webhook_runs


@pytest.fixture
async def writer(tmp_path: Path) -> AsyncIterator[SqliteWriter]:
    path = tmp_path / "w.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
    opened = SqliteWriter(str(path))
    yield opened
    await opened.close()


def insert(db: sqlite3.Connection, n: int) -> int:
    db.execute("INSERT INTO t (n) VALUES (?)", (n,))
    return n


def insert_then_fail(db: sqlite3.Connection, n: int) -> None:
    db.execute("INSERT INTO t (n) VALUES (?)", (n,))
    raise ValueError(f"refused {n}")


def stored(path: Path) -> list[int]:
    with sqlite3.connect(path) as db:
        return [n for (n,) in db.execute("SELECT n FROM t ORDER BY n")]


async def test_jobs_queued_together_go_in_one_hand_off_and_each_keeps_its_outcome(
        writer: SqliteWriter, tmp_path: Path) -> None:
    outcomes = await asyncio.gather(
        writer.run(insert, 1), writer.run(insert_then_fail, 2), writer.run(insert, 3), writer.run(insert, 1),
        return_exceptions=True,
    )
    assert outcomes[0] == 1 and outcomes[2] == 3
    assert isinstance(outcomes[1], ValueError) and str(outcomes[1]) == "refused 2"
    assert isinstance(outcomes[3], sqlite3.IntegrityError)
    assert writer.handoffs == 1
    assert stored(tmp_path / "w.db") == [1, 3]


async def test_jobs_queued_while_a_batch_is_written_go_in_the_next_one(writer: SqliteWriter, tmp_path: Path) -> None:
    first = asyncio.ensure_future(writer.run(insert, 1))
    await asyncio.sleep(0)
    await asyncio.sleep(0)  # the first batch is on its way
    later = [asyncio.ensure_future(writer.run(insert, n)) for n in range(2, 12)]
    await asyncio.gather(first, *later)
    assert writer.handoffs == 2
    assert stored(tmp_path / "w.db") == list(range(1, 12))


async def test_a_result_is_there_for_a_new_connection_when_the_job_returns(
        writer: SqliteWriter, tmp_path: Path) -> None:
    for n in range(1, 6):
        await writer.run(insert, n)
        assert stored(tmp_path / "w.db")[-1] == n


async def test_the_writer_connection_is_durable_and_checks_foreign_keys(writer: SqliteWriter) -> None:
    def pragmas(db: sqlite3.Connection, _: None) -> tuple[object, ...]:
        return tuple(db.execute(f"PRAGMA {name}").fetchone()[0]
                     for name in ("journal_mode", "synchronous", "foreign_keys", "secure_delete"))

    assert await writer.run(pragmas, None) == ("wal", 2, 1, 1)  # synchronous 2 is FULL


async def test_close_writes_what_is_queued_then_refuses(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
    writer = SqliteWriter(str(path))
    queued = [asyncio.ensure_future(writer.run(insert, n)) for n in range(5)]
    await asyncio.sleep(0)
    await writer.close()
    assert [job.result() for job in queued] == list(range(5))
    assert stored(path) == list(range(5))
    with pytest.raises(RuntimeError, match="closed"):
        await writer.run(insert, 9)


async def test_a_sqlite_file_store_writes_its_hot_rows_through_one_writer(tmp_path: Path) -> None:
    store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    try:
        parent = await stored_scenario(store)
        writer = store.writer
        assert writer is not None
        before = writer.handoffs
        runs = webhook_runs(parent, 20)
        await asyncio.gather(*(store.enqueue_executions([run]) for run in runs),
                             store.add_gateway_logs([gateway_log(A, scenario_id=parent.id)]))
        assert writer.handoffs - before == 1
        assert [await store.get_execution(A, run.id) for run in runs] == runs
    finally:
        await store.close()


async def test_an_in_memory_sqlite_store_has_no_writer() -> None:
    store = await SqlStore.open("sqlite+aiosqlite://")
    try:
        assert store.writer is None
        parent = await stored_scenario(store)
        [run] = webhook_runs(parent, 1)
        await store.enqueue_executions([run])
        assert await store.get_execution(A, run.id) == run
    finally:
        await store.close()


class Escaping(BaseException):
    """What no job should raise, and what the writer thread must survive."""


def insert_then_escape(db: sqlite3.Connection, n: int) -> None:
    db.execute("INSERT INTO t (n) VALUES (?)", (n,))
    raise Escaping


async def test_a_job_escaping_its_savepoint_fails_its_batch_and_the_writer_goes_on(
        writer: SqliteWriter, tmp_path: Path) -> None:
    outcomes = await asyncio.gather(writer.run(insert, 1), writer.run(insert_then_escape, 2), return_exceptions=True)
    assert [type(outcome) for outcome in outcomes] == [RuntimeError, RuntimeError]
    assert stored(tmp_path / "w.db") == []
    assert await writer.run(insert, 3) == 3
    assert stored(tmp_path / "w.db") == [3]


@pytest.mark.parametrize("when", [
    datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
    datetime(2026, 3, 1, 12, 0, 5, 7, tzinfo=UTC),
    datetime(999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2026, 3, 1, 17, 30, 0, 250_000, tzinfo=timezone(timedelta(hours=5, minutes=30))),
])
def test_the_writer_stores_a_time_as_the_sqlalchemy_columns_do(when: datetime) -> None:
    """The other queries compare and read these times through SQLAlchemy: the text must be the same."""
    dialect = sqlite.dialect()
    bind = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)  # what an INSERT through SQLAlchemy binds
    assert bind is not None
    assert sqlite_time(when) == bind(when)


def test_the_writer_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="naive"):
        sqlite_time(datetime(2026, 3, 1, 12, 0))
