"""The function picker's list is what ``make functions`` generates from docs/functions.md."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_generated_function_list_is_current() -> None:
    spec = importlib.util.spec_from_file_location("functions_script", ROOT / "web" / "scripts" / "functions.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    generated = (ROOT / "web" / "src" / "features" / "run" / "functions.generated.ts").read_text()
    assert generated == script.generate(), "functions.generated.ts is stale: run `make functions`"


def test_every_documented_function_is_listed() -> None:
    generated = (ROOT / "web" / "src" / "features" / "run" / "functions.generated.ts").read_text()
    docs = (ROOT / "docs" / "functions.md").read_text()
    for name in ("formatDate", "ifempty", "parseDate", "sha256", "toCollection"):
        assert f"`{name}(" in docs
        assert f'"name": "{name}"' in generated
