"""Logs go to stderr, for every command; stdout carries only the command's output."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.cli.test_cli import scenarist, write
from tests.threaded_server import serving


async def _orders(request: Request) -> JSONResponse:
    return JSONResponse({"orders": [1, 2, 3]})


ORDERS = Starlette(routes=[Route("/orders", _orders)])


def _calling(url: str) -> dict[str, object]:
    return {"name": "call", "trigger": {"id": "hook", "module": "webhooks.custom"},
            "flow": [{"id": "get", "module": "http.request", "params": {"url": url}}]}


def test_run_json_prints_only_the_document_even_at_debug_level(tmp_path: Path) -> None:
    with serving(ORDERS) as base:
        file = write(tmp_path / "s.json", _calling(base + "/orders"))
        done = scenarist("--log-level", "debug", "run", str(file), "--json", data_dir=tmp_path / "d")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["log"][1]["output"]["body"] == {"orders": [1, 2, 3]}
    assert "http.request GET 127.0.0.1 -> 200" in done.stderr


def test_the_cli_shows_no_debug_lines_by_default(tmp_path: Path) -> None:
    with serving(ORDERS) as base:
        file = write(tmp_path / "s.json", _calling(base + "/orders"))
        done = scenarist("run", str(file), "--json", data_dir=tmp_path / "d")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "success"
    assert "http.request GET" not in done.stderr


def test_scenarist_log_level_sets_the_level(tmp_path: Path) -> None:
    with serving(ORDERS) as base:
        file = write(tmp_path / "s.json", _calling(base + "/orders"))
        done = scenarist("run", str(file), "--json", data_dir=tmp_path / "d", env={"SCENARIST_LOG_LEVEL": "debug"})
    assert json.loads(done.stdout)["status"] == "success"
    assert "http.request GET 127.0.0.1 -> 200" in done.stderr


def test_an_unknown_log_level_exits_2(tmp_path: Path) -> None:
    done = scenarist("--log-level", "chatty", "config", data_dir=tmp_path)
    assert done.returncode == 2
    assert "unknown log level 'chatty'" in done.stderr
    assert done.stdout == ""


def test_config_shows_the_log_level(tmp_path: Path) -> None:
    done = scenarist("config", data_dir=tmp_path, env={"SCENARIST_LOG_LEVEL": "warning"})
    assert json.loads(done.stdout)["log_level"] == "warning"
