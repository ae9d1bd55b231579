"""docs/scenarios.md: every scenario it shows is valid, and those marked ``run`` give the answer shown.

A fenced block ```` ```yaml scenario ```` is validated; ```` ```yaml scenario run ```` is also run,
with the next ```` ```json input ```` block as the webhook's body, and the next ```` ```json response ````
block is the body that ``webhooks.respond`` answers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from scenarist.engine.model import ScenarioSettings
from scenarist.engine.service import Engine
from scenarist.types import RunStatus
from tests.engine.conftest import run

GUIDE = Path(__file__).parents[2] / "docs" / "scenarios.md"
FENCE = re.compile(r"^```(\w*)([^\n]*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
PENDING_SETTINGS = ("timezone", "respond_on_error")
"""Settings documented before ``ScenarioSettings`` has them (they land from other branches): the
test takes exactly these keys out of an example while the model does not know them."""


@dataclass
class Example:
    line: int
    scenario: dict[str, Any]
    runs: bool
    input: Any = None
    response: Any = None

    def __str__(self) -> str:
        return f"{self.scenario['name']} (line {self.line})"


def examples() -> list[Example]:
    text = GUIDE.read_text(encoding="utf-8")
    found: list[Example] = []
    for match in FENCE.finditer(text):
        language, info, body = match.group(1), match.group(2).split(), match.group(3)
        line = text.count("\n", 0, match.start()) + 1
        if info[:1] == ["scenario"]:
            found.append(Example(line, yaml.safe_load(body), runs="run" in info))
        elif found and found[-1].runs and language == "json" and info[:1] in (["input"], ["response"]):
            setattr(found[-1], info[0], json.loads(body))
    return found


EXAMPLES = examples()


def without_pending_settings(definition: dict[str, Any]) -> dict[str, Any]:
    settings = {key: value for key, value in definition.get("settings", {}).items()
                if key not in PENDING_SETTINGS or key in ScenarioSettings.model_fields}
    return {**definition, "settings": settings}


def test_the_guide_shows_every_construct() -> None:
    assert len(EXAMPLES) >= 12
    flat = json.dumps([e.scenario for e in EXAMPLES])
    for construct in ('"router"', '"if_else"', '"else"', '"conditions"', '"condition"', '"fallback"',
                      '"on_error"', '"interval"', '"cron"', '"on_demand"', '"immediately"', '"connection"'):
        assert construct in flat, construct
    for directive in ("ignore", "resume", "break", "commit", "rollback"):
        assert f'"directive": "{directive}"' in flat, directive
    settings = next(e.scenario["settings"] for e in EXAMPLES if len(e.scenario.get("settings", {})) > 1)
    assert set(settings) == {*ScenarioSettings.model_fields, *PENDING_SETTINGS}


def test_the_operator_table_names_every_operator() -> None:
    from scenarist.engine.conditions import OPERATORS

    text = GUIDE.read_text(encoding="utf-8")
    for name in OPERATORS:
        assert f"`{name}`" in text, name


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_the_example_is_valid(engine: Engine, example: Example) -> None:
    checked = engine.validate(without_pending_settings(example.scenario))
    assert checked.ok, [str(p) for p in checked.problems]


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.runs], ids=str)
async def test_the_example_runs_as_shown(engine: Engine, example: Example) -> None:
    result = await run(engine, without_pending_settings(example.scenario), example.input)
    assert result.execution.status == RunStatus.SUCCESS, result.execution.error
    if example.response is not None:
        assert result.response is not None
        assert result.response["body"] == example.response
