"""A clone of the project explains itself: no file points outside it."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = ("/".join(("..", "shared")), *(f"{name}.md" for name in ("CONTRACT", "BENCH", "DESIGN", "STYLE")))
"""What a file would point to outside the project (spelt apart, so that this file does not itself)."""


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60)
    return [ROOT / name for name in listed.stdout.decode().split("\0") if name]


def test_no_project_file_points_outside_the_project() -> None:
    me = Path(__file__).resolve()
    culprits = []
    for path in tracked_files():
        if path == me or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        culprits += [f"{path.relative_to(ROOT)}: {word}" for word in OUTSIDE if word in text]
    assert not culprits, "files that point outside the project:\n" + "\n".join(culprits)


def test_the_contract_doc_names_the_version_implemented() -> None:
    assert "**contract version 2**" in (ROOT / "docs" / "contract.md").read_text()
