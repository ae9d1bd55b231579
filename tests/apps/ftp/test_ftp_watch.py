"""ftp.watch: new and changed files since the last poll, the cursor in the scenario state."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from scenarist.apps.ftp import WATCH
from scenarist.sdk import ModuleHarness
from tests.apps.ftp.conftest import Server

STATE_KEY = "ftp.watch:step1"
"""Where the cursor of the harness's step (``step1``) lives."""


def _names(bundles: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(b["name"], b["change"]) for b in bundles]


def _touch(server: Server, name: str, content: str, mtime: float | None = None) -> None:
    path = server.home / name
    path.write_text(content)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


async def test_first_poll_since_now_reports_nothing_then_new_files(server: Server, run: Any) -> None:
    _touch(server, "old.csv", "old")
    assert await run(WATCH, {}, server.connection()) == []
    _touch(server, "new.csv", "new")
    out = await run(WATCH, {}, server.connection())
    assert _names(out) == [("new.csv", "new")]
    assert out[0]["path"] == "new.csv" and out[0]["size"] == 3 and out[0]["type"] == "file"
    assert await run(WATCH, {}, server.connection()) == []


async def test_first_poll_since_all_reports_every_file_oldest_first(server: Server, run: Any) -> None:
    now = time.time()
    _touch(server, "b.csv", "b", now - 100)
    _touch(server, "a.csv", "a", now - 50)
    (server.home / "sub").mkdir()
    out = await run(WATCH, {"since": "all"}, server.connection())
    assert _names(out) == [("b.csv", "new"), ("a.csv", "new")]


async def test_changed_files_are_reported_as_changed(server: Server, run: Any) -> None:
    past = time.time() - 100
    _touch(server, "data.csv", "v1", past)
    await run(WATCH, {}, server.connection())
    _touch(server, "data.csv", "version 2", past)
    assert _names(await run(WATCH, {}, server.connection())) == [("data.csv", "changed")]
    _touch(server, "data.csv", "version 3", past + 10)
    assert _names(await run(WATCH, {}, server.connection())) == [("data.csv", "changed")]


async def test_limit_leaves_the_rest_for_the_next_poll(server: Server, run: Any) -> None:
    now = time.time()
    for i in range(5):
        _touch(server, f"f{i}.txt", "x", now - 100 + i)
    first = await run(WATCH, {"since": "all", "limit": 2}, server.connection())
    second = await run(WATCH, {"since": "all", "limit": 2}, server.connection())
    third = await run(WATCH, {"since": "all", "limit": 2}, server.connection())
    assert [b["name"] for b in first + second + third] == ["f0.txt", "f1.txt", "f2.txt", "f3.txt", "f4.txt"]
    assert await run(WATCH, {"since": "all", "limit": 2}, server.connection()) == []


async def test_pattern_and_folder_choose_what_is_watched(server: Server, run: Any) -> None:
    (server.home / "in").mkdir()
    (server.home / "in" / "a.csv").write_text("a")
    (server.home / "in" / "a.tmp").write_text("a")
    (server.home / "top.csv").write_text("t")
    out = await run(WATCH, {"folder": "in", "pattern": "*.csv", "since": "all"}, server.connection())
    assert [(b["name"], b["path"]) for b in out] == [("a.csv", "in/a.csv")]


async def test_a_deleted_file_put_back_is_new_again(server: Server, run: Any) -> None:
    _touch(server, "x.txt", "x")
    await run(WATCH, {}, server.connection())
    (server.home / "x.txt").unlink()
    assert await run(WATCH, {}, server.connection()) == []
    _touch(server, "x.txt", "x")
    assert _names(await run(WATCH, {}, server.connection())) == [("x.txt", "new")]


async def test_the_cursor_lives_in_the_scenario_state(server: Server, run: Any, harness: ModuleHarness) -> None:
    _touch(server, "x.txt", "abc")
    await run(WATCH, {"folder": ""}, server.connection())
    cursor: Any = harness.state[STATE_KEY]
    assert cursor["folder"] == "" and cursor["pattern"] is None
    modified, size = cursor["files"]["x.txt"]
    assert size == 3 and modified.endswith("+00:00")


async def test_changing_the_folder_starts_afresh(server: Server, run: Any) -> None:
    (server.home / "one").mkdir()
    (server.home / "two").mkdir()
    (server.home / "two" / "t.txt").write_text("t")
    await run(WATCH, {"folder": "one"}, server.connection())
    assert await run(WATCH, {"folder": "two"}, server.connection()) == []


@pytest.mark.parametrize("cursor", [None, "garbage", {"files": "no"}, {"folder": "", "pattern": None}])
async def test_an_unusable_cursor_counts_as_a_first_poll(
    server: Server, run: Any, harness: ModuleHarness, cursor: Any
) -> None:
    harness.state[STATE_KEY] = cursor
    _touch(server, "x.txt", "x")
    assert await run(WATCH, {}, server.connection()) == []
