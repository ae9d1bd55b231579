"""One writer thread for a SQLite file: the hot writes, a whole batch per hand-off and per commit.

A thread hand-off costs far more than the statements it carries (on shared
VMs about 25-140 µs of CPU, against about 1 µs for a direct ``sqlite3``
call), and aiosqlite makes one per statement, fetch and commit. So
``SqlStore`` on a SQLite file sends its hot writes (the gateway's intake,
running marks, finished runs with their activity and usage, activity
batches, the gateway log) to this writer instead:

- ``run(job, arg)`` queues ``job(connection, arg)`` and returns its result
  once the transaction that ran it is committed (``synchronous=FULL``: on
  disk), or raises what the job raised.
- Jobs queued while a batch is being written, or in the same turn of the
  event loop, wait; the next batch takes all of them to the thread in one
  hand-off (``SimpleQueue.put``) and comes back in one
  (``call_soon_threadsafe``): ``BEGIN IMMEDIATE``, each job in its own
  savepoint (a job that raises is rolled back alone, as if it had been its
  own transaction), one ``COMMIT``. A failed commit fails every job of it.
- The connection is the writer's alone, with the pragmas of every other
  connection (WAL, ``synchronous=FULL``, foreign keys, ``busy_timeout``);
  other connections (SQLAlchemy's pool, other processes) take turns with it
  on SQLite's write lock.

``handoffs`` counts the batches handed to the thread (``bench/handoffs.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any, TypeVar

from scenarist.store.database import SQLITE_PRAGMAS

T = TypeVar("T")
A = TypeVar("A")

Job = tuple[Callable[[sqlite3.Connection, Any], Any], Any, "asyncio.Future[Any]"]
_Outcome = tuple[bool, Any]
"""(True, result) or (False, exception) of one job."""


class SqliteWriter:
    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in SQLITE_PRAGMAS:
            self._connection.execute(pragma)
        self._inbox: SimpleQueue[list[Job] | None] = SimpleQueue()
        self._pending: list[Job] = []
        self._in_flight = False
        self._scheduled = False
        self._idle: asyncio.Future[None] | None = None
        self._closed = False
        self.handoffs = 0
        """Batches handed to the thread so far."""
        self._thread = threading.Thread(target=self._work, name="scenarist-sqlite-writer", daemon=True)
        self._thread.start()

    async def run(self, job: Callable[[sqlite3.Connection, A], T], arg: A) -> T:
        """``job(connection, arg)`` in the next batch; its result once that batch is committed."""
        if self._closed:
            raise RuntimeError("the SQLite writer is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((job, arg, future))
        if not self._in_flight and not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._hand_off)  # what the same turn of the loop queues goes along
        return await future

    def _hand_off(self) -> None:
        self._scheduled = False
        if self._in_flight or not self._pending:
            return
        batch, self._pending = self._pending, []
        self._in_flight = True
        self.handoffs += 1
        self._inbox.put(batch)

    def _work(self) -> None:
        while True:
            batch = self._inbox.get()
            if batch is None:
                self._connection.close()
                return
            try:
                outcomes = self._write(batch)
            except BaseException as exc:  # the thread must outlive anything a job raises
                with contextlib.suppress(sqlite3.Error):
                    self._connection.rollback()
                failure = RuntimeError(f"the SQLite writer failed: {exc!r}")
                failure.__cause__ = exc
                outcomes = [(False, failure)] * len(batch)
            loop = batch[0][2].get_loop()
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(self._written, batch, outcomes)

    def _write(self, batch: list[Job]) -> list[_Outcome]:
        """On the thread: the batch in one transaction, each job in its savepoint."""
        db = self._connection
        outcomes: list[_Outcome] = []
        try:
            db.execute("BEGIN IMMEDIATE")
            for job, arg, _ in batch:
                db.execute("SAVEPOINT job")
                try:
                    outcomes.append((True, job(db, arg)))
                except Exception as exc:
                    db.execute("ROLLBACK TO job")
                    outcomes.append((False, exc))
                db.execute("RELEASE job")
            db.execute("COMMIT")
        except sqlite3.Error as exc:  # the transaction itself failed (busy, disk full, I/O): every job did
            if db.in_transaction:
                db.execute("ROLLBACK")
            return [(False, exc)] * len(batch)
        return outcomes

    def _written(self, batch: list[Job], outcomes: list[_Outcome]) -> None:
        """Back on the event loop: settle the batch's futures, then hand over what queued meanwhile."""
        self._in_flight = False
        loop = batch[0][2].get_loop()
        for (_, _, future), (ok, value) in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        if self._pending:
            self._scheduled = True
            loop.call_soon(self._hand_off)  # the woken callers' next writes go along
        elif self._idle is not None and not self._idle.done():
            self._idle.set_result(None)

    async def close(self) -> None:
        """Write what is queued, then close the connection and end the thread."""
        if self._closed:
            return
        self._closed = True
        if self._in_flight or self._pending:
            self._idle = asyncio.get_running_loop().create_future()
            await self._idle
        self._inbox.put(None)
        self._thread.join()  # it only closes the connection
