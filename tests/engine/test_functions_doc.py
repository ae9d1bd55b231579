"""docs/functions.md: every example runs, through the public ExpressionEngine, and gives its stated result."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scenarist.engine.expressions import ExpressionEngine
from scenarist.engine.functions import KEYWORDS
from scenarist.engine.scope import run_scope
from scenarist.types import ManualClock

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "functions.md"
EXAMPLE = re.compile(r"^- `(?P<expr>[^`]+)` → `(?P<result>.+)`(?: \*\(scenario time zone (?P<zone>[\w/+-]+)\)\*)?$")
HEADING = re.compile(r"^### (?P<title>.+)$")
NOW = datetime(2024, 3, 5, 14, 30, 15, 250000, tzinfo=UTC)
EXECUTION = "exec-42"


def examples() -> list[tuple[str, str, str]]:
    """(expression, result as JSON, scenario time zone) of every example line."""
    found = []
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        match = EXAMPLE.match(line)
        if match:
            found.append((match["expr"], match["result"], match["zone"] or "UTC"))
    return found


def documented_names() -> set[str]:
    names: set[str] = set()
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        heading = HEADING.match(line)
        if heading:
            names.update(re.findall(r"`(\w+)", heading["title"]))
            names.update(re.findall(r"also `(\w+)`", heading["title"]))
    return names


def test_the_page_has_examples() -> None:
    assert len(examples()) > 150


@pytest.mark.parametrize(("expression", "result", "zone"), examples(), ids=lambda value: str(value)[:60])
def test_an_example_gives_its_stated_result(expression: str, result: str, zone: str) -> None:
    engine = ExpressionEngine(clock=ManualClock(NOW))
    with run_scope(zone, EXECUTION):
        assert engine.evaluate("{{ " + expression + " }}", {}) == json.loads(result)


def test_every_function_and_keyword_is_documented() -> None:
    engine = ExpressionEngine()
    missing = set(engine.library) - documented_names()
    assert not missing, sorted(missing)


def test_every_keyword_has_a_section() -> None:
    assert documented_names() >= KEYWORDS


def test_every_example_line_is_read_as_an_example() -> None:
    lines = [line for line in GUIDE.read_text(encoding="utf-8").splitlines() if line.startswith("- `")]
    assert [line for line in lines if not EXAMPLE.match(line)] == []
