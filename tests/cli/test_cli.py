"""The ``scenarist`` command, run as a user runs it: a process with arguments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

EXAMPLES = Path(__file__).parents[2] / "src" / "scenarist" / "examples"


def scenarist(*args: str, data_dir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SCENARIST_DATA_DIR": str(data_dir), "COLUMNS": "200",
                   "SCENARIST_EGRESS_ALLOW": "127.0.0.0/8,::1", **(env or {})}
    if "SCENARIST_DATABASE_URL" not in (env or {}):
        environment.pop("SCENARIST_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "scenarist", *args], capture_output=True, text=True, env=environment,
        timeout=60, check=False,
    )


def write(path: Path, document: Any) -> Path:
    path.write_text(yaml.safe_dump(document) if path.suffix == ".yaml" else json.dumps(document))
    return path


PIPELINE = {
    "name": "Big orders",
    "trigger": {"id": "hook", "module": "webhooks.custom"},
    "schedule": {"type": "immediately"},
    "flow": [
        {"id": "shape", "module": "tools.set_variables", "params": {"variables": {
            "id": "{{ hook.body.id }}", "name_upper": "{{ hook.body.name | upper }}"}}},
        {"id": "answer", "module": "webhooks.respond", "params": {"body": "{{ shape }}"},
         "filter": {"condition": "{{ hook.body.amount > 10 }}"}},
    ],
}


def test_run_json_prints_the_execution_document(tmp_path: Path) -> None:
    file = write(tmp_path / "s.yaml", PIPELINE)
    done = scenarist("run", str(file), "--input", '{"id": 3, "name": "ada", "amount": 20}', "--json",
                     data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["status"] == "success"
    assert doc["operations"] == 3
    assert doc["response"] == {"status": 200, "headers": {}, "body": {"id": 3, "name_upper": "ADA"}}
    assert [entry["step"] for entry in doc["log"]] == ["hook", "shape", "answer"]
    assert set(doc) >= {"id", "scenario_id", "started_at", "finished_at", "confidential", "log"}
    assert doc["log"][1]["output"] == {"id": 3, "name_upper": "ADA"}


def test_run_prints_a_tree_of_steps_and_the_activity_stream(tmp_path: Path) -> None:
    file = write(tmp_path / "s.json", PIPELINE)
    done = scenarist("run", str(file), "--input", '{"id": 1, "name": "x", "amount": 2}', data_dir=tmp_path / "d")
    assert done.returncode == 0, done.stderr
    assert "success" in done.stdout
    assert "shape tools.set_variables  1 op(s)" in done.stdout
    assert "filtered 1" in done.stdout
    assert "Activity stream" in done.stdout


def test_run_reads_input_from_a_file(tmp_path: Path) -> None:
    done = scenarist("run", str(EXAMPLES / "orders.yaml"), "--input", f"@{EXAMPLES / 'orders-input.json'}",
                     "--json", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)["response"]["body"]
    assert [line["sku"] for line in body["big_lines"]] == ["KETTLE", "CUPS"]


def test_run_exits_1_when_the_run_ends_incomplete(tmp_path: Path) -> None:
    failing = {**PIPELINE, "flow": [{"id": "call", "module": "http.request",
                                     "params": {"url": "http://127.0.0.1:9/nothing", "timeout_seconds": 2}}]}
    done = scenarist("run", str(write(tmp_path / "f.yaml", failing)), "--json", data_dir=tmp_path / "d")
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert doc["status"] == "incomplete"
    assert doc["error"]["type"] == "ConnectionError"
    assert doc["error"]["step"] == "call"


def test_invalid_scenario_exits_2_with_paths(tmp_path: Path) -> None:
    bad = {**PIPELINE, "flow": [{"id": "x", "module": "http.request", "params": {}}]}
    file = write(tmp_path / "bad.yaml", bad)
    for command in ("validate", "run"):
        done = scenarist(command, str(file), data_dir=tmp_path / "d")
        assert done.returncode == 2
        assert "flow[0].params.url" in done.stderr
        assert "Traceback" not in done.stderr


def test_validate_accepts_a_valid_file(tmp_path: Path) -> None:
    done = scenarist("validate", str(EXAMPLES / "orders.yaml"), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(("content", "name", "message"), [
    ("name: [unclosed", "s.yaml", "invalid YAML at line 1"),
    ('{"name": ', "s.json", "invalid JSON at line 1"),
])
def test_malformed_files_exit_2_without_a_traceback(tmp_path: Path, content: str, name: str, message: str) -> None:
    (tmp_path / name).write_text(content)
    done = scenarist("validate", str(tmp_path / name), data_dir=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_input_exits_2(tmp_path: Path) -> None:
    file = write(tmp_path / "s.yaml", PIPELINE)
    done = scenarist("run", str(file), "--input", "{nope", data_dir=tmp_path)
    assert done.returncode == 2
    assert "--input: invalid JSON" in done.stderr
    missing = scenarist("run", str(file), "--input", "@/no/such/file.json", data_dir=tmp_path)
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr


def test_missing_scenario_file_exits_2(tmp_path: Path) -> None:
    done = scenarist("run", str(tmp_path / "nothing.yaml"), data_dir=tmp_path)
    assert done.returncode == 2
    assert "cannot read" in done.stderr


def test_config_prints_settings_with_secrets_redacted(tmp_path: Path) -> None:
    done = scenarist("config", data_dir=tmp_path, env={"SCENARIST_SECRET_KEYS": "k1:c2VjcmV0c2VjcmV0"})
    settings = json.loads(done.stdout)
    assert settings["session_idle_seconds"] == 1200
    assert settings["session_max_seconds"] == 43200
    assert settings["retention_runs_days"] == 60
    assert settings["secret_keys"] == "**********"
    assert "c2VjcmV0c2VjcmV0" not in done.stdout


def test_apps_lists_the_built_in_modules(tmp_path: Path) -> None:
    done = scenarist("apps", data_dir=tmp_path)
    assert done.returncode == 0
    for key in ("webhooks.custom", "flow.array_aggregator", "http.request", "json.parse", "tools.increment"):
        assert key in done.stdout


def test_increment_counts_across_runs_of_the_same_file(tmp_path: Path) -> None:
    counter = {"name": "count", "trigger": {"id": "t", "module": "webhooks.custom"},
               "flow": [{"id": "n", "module": "tools.increment"}]}
    file = write(tmp_path / "c.yaml", counter)
    values = []
    for _ in range(2):
        done = scenarist("run", str(file), "--json", data_dir=tmp_path / "d")
        values.append(json.loads(done.stdout)["log"][1]["output"]["value"])
    assert values == [1, 2]


@pytest.mark.postgres
def test_run_records_into_postgresql_when_configured(tmp_path: Path, postgres_database_url: str) -> None:
    file = write(tmp_path / "s.yaml", PIPELINE)
    env = {"SCENARIST_DATABASE_URL": postgres_database_url}
    done = scenarist("run", str(file), "--input", '{"id": 1, "name": "pg", "amount": 50}', "--json",
                     data_dir=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["response"]["body"]["name_upper"] == "PG"
    assert not (tmp_path / "scenarist.db").exists()


def test_validate_words_every_problem_in_the_scenario_format(tmp_path: Path) -> None:
    bad = {
        "name": "",
        "trigger": {"id": "Hook", "module": "webhooks"},
        "schedule": {"type": "daily"},
        "flow": [
            {"id": "a", "module": "tools.set_variables", "on_error": {"directive": "retry"},
             "filtr": {"condition": "{{ true }}"}},
            3,
        ],
        "settings": {"confidental": True, "max_cycles": 0, "timeout_seconds": "soon"},
    }
    done = scenarist("validate", str(write(tmp_path / "bad.yaml", bad)), data_dir=tmp_path)
    assert done.returncode == 2
    lines = set(done.stderr.splitlines())
    assert lines >= {
        "name: must not be empty",
        "trigger.id: 'Hook' is not a valid id: lower-case letters, digits and _, starting with a letter",
        "trigger.module: 'webhooks' is not a module key: app.module, such as http.request",
        "schedule.type: unknown schedule type 'daily'; expected one of immediately, interval, cron, on_demand",
        "flow[0].on_error.directive: unknown directive 'retry'; expected one of ignore, resume, break, commit, "
        "rollback",
        "flow[0].filtr: unknown field 'filtr' (did you mean 'filter'?)",
        "flow[1]: expected a step, a router or an if-else block (an object), not the number 3",
        "settings.confidental: unknown field 'confidental' (did you mean 'confidential'?)",
        "settings.max_cycles: must be at least 1",
        "settings.timeout_seconds: expected a number, not text 'soon'",
    }, done.stderr
    assert "Input " not in done.stderr and "Value error" not in done.stderr


def test_validate_reports_every_problem_of_a_step(tmp_path: Path) -> None:
    bad = {**PIPELINE, "flow": [
        {"id": "shape", "module": "tools.set_variables", "params": {"variables": {
            "x": "{{ 1 + }}", "y": "{{ ghost.id }}", "z": "{{ later.v }}"}},
         "filter": {"conditions": [[{"a": "{{ hook.body }}", "o": "text:eq", "b": "x"},
                                    {"a": "{{ hook.body.n }}", "o": "number:greater"}]]}},
        {"id": "later", "module": "tools.set_variables", "params": {"variables": {}}},
    ]}
    done = scenarist("validate", str(write(tmp_path / "bad.json", bad)), data_dir=tmp_path)
    assert done.returncode == 2
    paths = {line.split(": ", 1)[0] for line in done.stderr.splitlines() if ": " in line}
    assert paths >= {"flow[0].params.variables.x", "flow[0].params.variables.y", "flow[0].params.variables.z",
                     "flow[0].filter.conditions[0][0].o", "flow[0].filter.conditions[0][1].b"}
    assert "5 problem(s)" in done.stderr


def test_validate_accepts_if_else_and_structured_filters(tmp_path: Path) -> None:
    good = {**PIPELINE, "flow": [
        {"id": "size", "if_else": [
            {"label": "big", "conditions": [[{"a": "{{ hook.body.amount }}", "o": "number:greater", "b": 10}]],
             "flow": [{"id": "big", "module": "tools.set_variables", "params": {"variables": {"k": "big"}}}]}],
         "else": {"flow": []}},
        {"id": "answer", "module": "webhooks.respond", "params": {"body": "{{ big.k }}"}},
    ]}
    file = write(tmp_path / "good.yaml", good)
    assert scenarist("validate", str(file), data_dir=tmp_path).returncode == 0
    done = scenarist("run", str(file), "--input", '{"amount": 50}', data_dir=tmp_path / "d")
    assert done.returncode == 0, done.stderr
    assert "size if-else" in done.stdout
