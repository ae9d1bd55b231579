"""The UI's pure logic (formatting, error messages) is tested with Vitest; this runs it from pytest."""

from __future__ import annotations

import os
import subprocess

from tests.web.tooling import WEB, node_tool


def test_vitest_suite_passes() -> None:
    vitest = node_tool("vitest")
    env = os.environ | {"CI": "true", "NO_COLOR": "1", "FORCE_COLOR": "0"}
    result = subprocess.run([str(vitest), "--run"], cwd=WEB, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
