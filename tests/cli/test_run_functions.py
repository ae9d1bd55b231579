"""``scenarist run`` of a scenario that leans on Make's coercion and on the scenario time zone."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import scenarist, write

ORDERS = {
    "name": "Orders in Prague",
    "trigger": {"id": "hook", "module": "webhooks.custom"},
    "settings": {"timezone": "Europe/Prague"},
    "flow": [
        {"id": "shape", "module": "tools.set_variables", "params": {"variables": {
            "cents": "{{ hook.body.total * 100 }}",
            "with_fee": "{{ hook.body.total + hook.body.fee }}",
            "local_time": "{{ formatDate(hook.body.at, 'DD.MM.YYYY HH:mm') }}",
            "opens": "{{ setHour(hook.body.at, 9) }}",
            "label": "{{ 'Order ' + hook.body.id }}",
        }}},
        {"id": "answer", "module": "webhooks.respond", "params": {"body": "{{ shape }}"},
         "filter": {"condition": "{{ hook.body.total > 100 }}"}},
    ],
}


def run(tmp_path: Path, body: dict[str, object]) -> dict[str, object]:
    file = write(tmp_path / "orders.json", ORDERS)
    done = scenarist("run", str(file), "--input", json.dumps(body), "--json", data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    document: dict[str, object] = json.loads(done.stdout)
    return document


def test_numbers_sent_as_text_compute_and_pass_the_filter_in_the_scenario_zone(tmp_path: Path) -> None:
    body = {"id": "A7", "total": "150", "fee": "2.5", "at": "2024-07-01T12:00:00Z"}
    document = run(tmp_path, body)
    assert document["response"] == {"status": 200, "headers": {}, "body": {
        "cents": 15000, "with_fee": 152.5, "local_time": "01.07.2024 14:00",
        "opens": "2024-07-01T07:00:00.000Z", "label": "Order A7",
    }}  # fmt: skip


def test_a_total_below_the_threshold_sent_as_text_is_filtered_out(tmp_path: Path) -> None:
    document = run(tmp_path, {"id": "A8", "total": "99.5", "fee": "0", "at": "2024-07-01T12:00:00Z"})
    log = document["log"]
    assert isinstance(log, list)
    assert [(entry["step"], entry["status"]) for entry in log][-1] == ("answer", "filtered")
    assert "response" not in document


def test_a_step_named_like_a_function_is_read_by_its_id_and_the_function_still_works(tmp_path: Path) -> None:
    scenario = {
        "name": "Steps named get and first",
        "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [
            {"id": "get", "module": "tools.set_variables", "params": {"variables": {"status": 201}}},
            {"id": "first", "module": "tools.set_variables", "params": {"variables": {"n": "{{ get.status }}"}}},
            {"id": "answer", "module": "webhooks.respond", "params": {"body": {
                "n": "{{ first.n }}", "head": "{{ first(hook.body.items) }}",
                "picked": "{{ get(hook.body, 'items') }}"}}},
        ],
    }
    file = write(tmp_path / "named.json", scenario)
    done = scenarist("run", str(file), "--input", json.dumps({"items": [3, 4]}), "--json", data_dir=tmp_path / "d")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["response"]["body"] == {"n": 201, "head": 3, "picked": [3, 4]}
