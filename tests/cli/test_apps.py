"""``scenarist apps``: every module by its full name; ``--app NAME``: its params and connection types."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import scenarist


def test_apps_shows_full_module_names_on_a_narrow_terminal(tmp_path: Path) -> None:
    done = scenarist("apps", data_dir=tmp_path, env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    for key in ("http.request", "http.download", "datastore.add_record", "flow.array_aggregator", "http.basic"):
        assert key in done.stdout, key


def test_apps_app_shows_each_modules_params(tmp_path: Path) -> None:
    done = scenarist("apps", "--app", "http", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("http.request (action)") for line in lines)
    assert "    - url (string, required): Absolute http:// or https:// address to call." in lines
    throw = next(line for line in lines if "- throw_on_http_error " in line)
    assert throw.startswith("    - throw_on_http_error (boolean, optional): Fail the step on a 4xx")
    assert throw.endswith("[default: true]")
    assert any(line.startswith("    - method (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS, optional)") for line in lines)
    assert "json.parse" not in done.stdout


def test_apps_app_shows_its_connection_types_and_their_secret_fields(tmp_path: Path) -> None:
    done = scenarist("apps", "--app", "http", data_dir=tmp_path)
    lines = done.stdout.splitlines()
    assert "http.basic: HTTP Basic auth" in lines
    assert "    - password (string, required, secret): Password (kept secret)." in lines
    assert any(line.startswith("    - scopes (array of string, optional)") for line in lines)


def test_apps_app_of_an_app_without_connection_types_says_none(tmp_path: Path) -> None:
    done = scenarist("apps", "--app", "json", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "connection types: none" in done.stdout
    assert "json.parse" in done.stdout


def test_an_unknown_app_exits_2_naming_the_installed_ones(tmp_path: Path) -> None:
    done = scenarist("apps", "--app", "nope", data_dir=tmp_path)
    assert done.returncode == 2
    assert "unknown app 'nope'" in done.stderr
    assert "http" in done.stderr
    assert done.stdout == ""


def test_apps_json_prints_the_catalogue(tmp_path: Path) -> None:
    done = scenarist("apps", "--app", "http", "--json", data_dir=tmp_path)
    entry = json.loads(done.stdout)
    assert [m["key"] for m in entry["modules"]] == ["http.request", "http.download"]
    assert "throw_on_http_error" in entry["modules"][0]["params"]["properties"]
