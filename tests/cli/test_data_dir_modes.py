"""The data dir is 0700 and every file in it 0600, whatever the umask; ``serve`` fixes an existing dir at start
(contract section 7). A real ``scenarist serve`` under the laxest umask, and ``os.stat``."""

from __future__ import annotations

import stat
import time
from pathlib import Path

from tests.cli.test_cli import scenarist, write
from tests.serve_process import register, serve

HOOKED = {"name": "Echo", "trigger": {"id": "hook", "module": "webhooks.custom"}, "schedule": {"type": "immediately"},
          "flow": [{"id": "answer", "module": "webhooks.respond", "params": {"body": "{{ hook.body }}"}}]}


def modes(data_dir: Path) -> dict[str, int]:
    """The permission bits of the data dir ("." ) and of everything in it."""
    found = {".": stat.S_IMODE(data_dir.stat().st_mode)}
    for path in data_dir.rglob("*"):
        found[str(path.relative_to(data_dir))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def wrong(data_dir: Path) -> dict[str, str]:
    """Every entry whose mode is not 0700 (folders) or 0600 (files), with its mode in octal."""
    return {name: oct(mode) for name, mode in modes(data_dir).items()
            if mode != (0o700 if (data_dir / name).is_dir() else 0o600)}


def wait_for(path: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} was not written"
        time.sleep(0.05)


def test_serve_creates_the_data_dir_0700_and_every_file_0600_under_umask_0(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with serve(data_dir, umask=0, env={"SCENARIST_SECRET_KEYS": ""}) as server, server.client() as http:
        auth = register(http)
        created = http.post("/api/v1/scenarios", json=HOOKED, headers=auth).json()
        http.post(f"/api/v1/scenarios/{created['id']}/activate", headers=auth)
        assert http.post(created["webhook_url"], json={"n": 1}).status_code == 200
        wait_for(data_dir / "access.log")
        present = set(modes(data_dir))
        assert {".", "scenarist.db", "scenarist.db-wal", "scenarist.db-shm", "access.log", "secret.key"} <= present
        assert wrong(data_dir) == {}
    assert wrong(data_dir) == {}


def test_serve_fixes_the_modes_of_an_existing_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "old").mkdir(parents=True)
    (data_dir / "notes.txt").write_text("kept")
    (data_dir / "old" / "backup.db").write_bytes(b"x")
    data_dir.chmod(0o755)
    (data_dir / "old").chmod(0o777)
    (data_dir / "notes.txt").chmod(0o644)
    (data_dir / "old" / "backup.db").chmod(0o666)
    with serve(data_dir, umask=0):
        assert wrong(data_dir) == {}
        assert (data_dir / "notes.txt").read_text() == "kept"


def test_a_local_run_keeps_the_data_dir_private_too(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    file = write(tmp_path / "s.json", {"name": "n", "trigger": {"id": "t", "module": "webhooks.custom"},
                                       "flow": [{"id": "n", "module": "tools.increment"}]})
    done = scenarist("run", str(file), "--json", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "scenarist.db" in modes(data_dir)
    assert wrong(data_dir) == {}
