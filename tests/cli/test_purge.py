"""``scenarist purge --as-of``: each retention window, at its edge on both sides."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from tests.cli.test_cli import scenarist, write

FAILING = {
    "name": "fails",
    "trigger": {"id": "hook", "module": "webhooks.custom"},
    "flow": [{"id": "call", "module": "json.parse", "params": {"json": "{{ hook.body }}"}}],
}


def run_once(tmp_path: Path) -> datetime:
    """One run that stores activity, an incomplete execution and a notification."""
    file = write(tmp_path / "f.yaml", FAILING)
    done = scenarist("run", str(file), "--input", '"not json {"', "--json", data_dir=tmp_path / "d")
    assert json.loads(done.stdout)["status"] == "incomplete", done.stderr
    return datetime.fromisoformat(json.loads(done.stdout)["started_at"])


def purge(tmp_path: Path, as_of: datetime) -> dict[str, int]:
    done = scenarist("purge", "--as-of", as_of.isoformat(), data_dir=tmp_path / "d")
    assert done.returncode == 0, done.stderr
    counts = {}
    for line in done.stdout.splitlines():
        kind, _, rest = line.partition(": ")
        counts[kind] = int(rest.split()[0])
    return counts


def test_each_window_keeps_records_just_inside_it(tmp_path: Path) -> None:
    started = run_once(tmp_path)
    inside_notifications = started + timedelta(days=7) - timedelta(seconds=1)
    counts = purge(tmp_path, inside_notifications)
    assert counts["notifications"] == 0
    assert counts["runs"] == counts["activity"] == counts["incomplete"] == 0


def test_each_window_deletes_records_just_outside_it(tmp_path: Path) -> None:
    started = run_once(tmp_path)
    second = timedelta(seconds=1)
    assert purge(tmp_path, started + timedelta(days=7) + second)["notifications"] == 1
    counts = purge(tmp_path, started + timedelta(days=30) - second)
    assert counts["activity"] == counts["incomplete"] == 0
    counts = purge(tmp_path, started + timedelta(days=30) + second)
    assert counts["activity"] >= 1
    assert counts["incomplete"] == 1
    assert purge(tmp_path, started + timedelta(days=60) - second)["runs"] == 0
    assert purge(tmp_path, started + timedelta(days=60) + second)["runs"] == 1


def test_purge_rejects_a_bad_date(tmp_path: Path) -> None:
    done = scenarist("purge", "--as-of", "yesterday", data_dir=tmp_path)
    assert done.returncode == 2
    assert "--as-of" in done.stderr
