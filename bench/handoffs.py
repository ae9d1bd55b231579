"""Thread hand-offs per W1 request (issue: "count the hand-offs"), counted, not timed.

Runs the app in-process on SQLite (fresh data dir, as `serve` runs it) with the
W1 scenario of bench/README.md posting to the local sink, and counts, over 400
webhook requests sent 16 at a time after a warm-up:

- aiosqlite round trips (each statement, fetch, commit: one hop to the
  database thread and back),
- batches handed to the SQLite writer thread (`scenarist.store.sqlite_writer`:
  one hop there and back, one commit, whatever the batch holds),
- `loop.run_in_executor` calls (the other thread hops),

and prints them per request. Figures do not depend on the machine's speed, only
on the code's design; a design with one hand-off per batch shows well under one.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import tempfile
from collections import Counter
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import httpx
from w1_webhook import HERE, PASSWORD, free_port, scenario, wait_http

REQUESTS = 400
CONCURRENCY = 16
counts: Counter[str] = Counter()


def instrument() -> None:
    execute = aiosqlite.Connection._execute

    async def counted_execute(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        counts["aiosqlite"] += 1
        return await execute(self, fn, *args, **kwargs)

    aiosqlite.Connection._execute = counted_execute  # type: ignore[method-assign]
    run_in_executor = asyncio.BaseEventLoop.run_in_executor

    def counted_run_in_executor(self: Any, executor: Any, func: Any, *args: Any) -> Any:
        counts["executor"] += 1
        return run_in_executor(self, executor, func, *args)

    asyncio.BaseEventLoop.run_in_executor = counted_run_in_executor  # type: ignore[method-assign]
    from scenarist.store.sqlite_writer import SqliteWriter

    hand_off = SqliteWriter._hand_off

    def counted_hand_off(self: SqliteWriter) -> None:
        before = self.handoffs
        hand_off(self)
        counts["writer"] += self.handoffs - before

    SqliteWriter._hand_off = counted_hand_off  # type: ignore[method-assign]


@asynccontextmanager
async def running(data_dir: Path) -> Any:
    from scenarist.server.app import create_app
    from scenarist.settings import Settings

    settings = Settings(data_dir=data_dir, egress_allow="127.0.0.0/8,::1", public_url="http://127.0.0.1:8000")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000", timeout=60) as http:
            yield http


def main() -> None:
    from scenarist.logs import configure_logging

    configure_logging(logging.WARNING)
    instrument()
    sink_port = free_port()
    sink = subprocess.Popen([sys.executable, str(HERE / "sink.py"), str(sink_port)])
    try:
        wait_http(f"http://127.0.0.1:{sink_port}/ids")
        seen = asyncio.run(measure(sink_port))
    finally:
        sink.terminate()
        sink.wait(timeout=30)
    per = {kind: seen.get(kind, 0) / REQUESTS for kind in ("aiosqlite", "writer", "executor")}
    print(f"W1 hand-offs per request ({REQUESTS} requests, {CONCURRENCY} at a time, in-process): "
          f"{sum(per.values()):.2f} in all: {per['aiosqlite']:.2f} aiosqlite round trips, "
          f"{per['writer']:.2f} writer batches, {per['executor']:.2f} run_in_executor calls", flush=True)


async def measure(sink_port: int) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as data_dir:
        async with running(Path(data_dir)) as http:
            await http.post("/api/v1/auth/register", json={"email": "h@example.com", "password": PASSWORD})
            csrf = (await http.post("/api/v1/auth/login", json={"email": "h@example.com", "password": PASSWORD})
                    ).json()["csrf_token"]
            headers = {"X-CSRF-Token": csrf}
            body = scenario("W1", f"http://127.0.0.1:{sink_port}/sink", True)
            created = (await http.post("/api/v1/scenarios", json=body, headers=headers)).json()
            await http.post(f"/api/v1/scenarios/{created['id']}/activate", headers=headers)
            hook = created["webhook_url"].removeprefix("http://127.0.0.1:8000")
            http.cookies.clear()

            async def send(n: int) -> None:
                answer = await http.post(hook, json={"id": n, "amount": n % 50, "name": f"user{n}",
                                                     "tags": ["a", "b"]})
                assert answer.status_code == 200, answer.text

            for n in range(50):
                await send(n)
            counts.clear()
            for start in range(1000, 1000 + REQUESTS, CONCURRENCY):
                await asyncio.gather(*(send(n) for n in range(start, start + CONCURRENCY)))
            return dict(counts)


if __name__ == "__main__":
    main()
