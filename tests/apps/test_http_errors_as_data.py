"""``http.request`` with ``throw_on_http_error: false``: a 4xx or 5xx answer is the step's output (Make's
"evaluate all states as errors: no"); and connection failures of plain ``http://`` say nothing of TLS."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scenarist.apps.http import REQUEST
from scenarist.sdk import ConnectionError, DataError
from tests.cli.test_cli import scenarist, write
from tests.threaded_server import serving


async def _problem(request: Request) -> Response:
    code = int(request.path_params["code"])
    return JSONResponse({"error": "no such order", "code": code}, status_code=code, headers={"X-Trace": "t-1"})


async def _broken(request: Request) -> Response:
    return Response(b"<html>bad gateway</html>", status_code=502, media_type="application/json")


async def _big(request: Request) -> Response:
    return Response(b"e" * 20_000, status_code=500, media_type="text/plain")


SERVICE = Starlette(routes=[Route("/problem/{code:int}", _problem), Route("/broken", _broken), Route("/big", _big)])


@pytest.fixture(scope="module")
def service() -> Iterator[str]:
    with serving(SERVICE) as base:
        yield base


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize("code", [400, 404, 429, 401, 500, 503])
async def test_an_error_answer_is_output_as_data_when_not_thrown(run_module: Any, service: str, code: int) -> None:
    out = await run_module(REQUEST, {"url": f"{service}/problem/{code}", "throw_on_http_error": False})
    assert out["status"] == code
    assert out["body"] == {"error": "no such order", "code": code}
    assert out["headers"]["x-trace"] == "t-1"


async def test_an_error_answer_fails_the_step_by_default(run_module: Any, service: str) -> None:
    with pytest.raises(DataError, match="HTTP 404"):
        await run_module(REQUEST, {"url": f"{service}/problem/404"})
    with pytest.raises(ConnectionError, match="HTTP 500"):
        await run_module(REQUEST, {"url": f"{service}/problem/500", "throw_on_http_error": True})


async def test_an_error_answer_whose_json_does_not_parse_is_text(run_module: Any, service: str) -> None:
    out = await run_module(REQUEST, {"url": f"{service}/broken", "throw_on_http_error": False})
    assert (out["status"], out["body"]) == (502, "<html>bad gateway</html>")


async def test_an_error_answer_as_data_is_read_whole_up_to_max_bytes(run_module: Any, service: str) -> None:
    out = await run_module(REQUEST, {"url": f"{service}/big", "throw_on_http_error": False})
    assert out["body"] == "e" * 20_000
    with pytest.raises(DataError, match=r"more than max_bytes \(100 bytes\)"):
        await run_module(REQUEST, {"url": f"{service}/big", "throw_on_http_error": False, "max_bytes": 100})


async def test_a_refused_plain_http_connection_does_not_mention_tls(run_module: Any) -> None:
    with pytest.raises(ConnectionError) as caught:
        await run_module(REQUEST, {"url": f"http://127.0.0.1:{closed_port()}/"})
    message = caught.value.message
    assert "Connection refused" in message
    assert "ssl" not in message.lower()
    assert "tls" not in message.lower()


def test_a_scenario_goes_on_after_an_error_answer_it_asked_for_as_data(tmp_path: Path, service: str) -> None:
    scenario = {"name": "lookup", "trigger": {"id": "hook", "module": "webhooks.custom"}, "flow": [
        {"id": "lookup", "module": "http.request",
         "params": {"url": f"{service}/problem/404", "throw_on_http_error": False}},
        {"id": "seen", "module": "tools.set_variables",
         "params": {"variables": {"missing": "{{ lookup.status == 404 }}"}}},
    ]}
    done = scenarist("run", str(write(tmp_path / "s.json", scenario)), "--json", data_dir=tmp_path / "d")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["status"] == "success"
    assert doc["log"][2]["output"] == {"missing": True}


def test_connection_refused_in_a_run_names_no_ssl(tmp_path: Path) -> None:
    scenario = {"name": "nowhere", "trigger": {"id": "hook", "module": "webhooks.custom"},
                "flow": [{"id": "call", "module": "http.request", "params": {"url": "http://127.0.0.1:1/"}}]}
    done = scenarist("run", str(write(tmp_path / "s.json", scenario)), "--json", data_dir=tmp_path / "d")
    error = json.loads(done.stdout)["error"]
    assert error["type"] == "ConnectionError"
    assert "ssl" not in error["message"].lower()
    assert "cannot connect to 127.0.0.1:1: Connection refused" in error["message"]
