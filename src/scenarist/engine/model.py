"""The scenario definition of CONTRACT.md section 3 as pydantic models.

Parsing checks shapes only; ``validation.validate`` checks what needs the app
catalogue and the expression engine (modules, params, references, ids).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

STEP_ID = r"^[a-z][a-z0-9_]*$"
MODULE_KEY = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Filter(_Model):
    label: str | None = None
    condition: str | bool = Field(description="An expression; a bundle whose condition is false stops.")


class OnError(_Model):
    directive: Literal["ignore", "resume", "break", "commit", "rollback"]
    output: dict[str, Any] | None = Field(default=None, description="The step's output, for resume.")
    flow: list[FlowItem] = Field(default_factory=list, description="Steps run before the directive.")


class Step(_Model):
    id: str = Field(pattern=STEP_ID)
    module: str = Field(pattern=MODULE_KEY)
    params: dict[str, Any] = Field(default_factory=dict)
    connection: str | None = None
    filter: Filter | None = None
    on_error: OnError | None = None


class Route(_Model):
    label: str | None = None
    filter: Filter | None = None
    fallback: bool = False
    flow: list[FlowItem] = Field(default_factory=list)


class Router(_Model):
    id: str = Field(pattern=STEP_ID)
    router: list[Route] = Field(min_length=1)


def _item_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "router" if "router" in value else "step"
    return "router" if isinstance(value, Router) else "step"


FlowItem = Annotated[
    Annotated[Step, Tag("step")] | Annotated[Router, Tag("router")],
    Discriminator(_item_kind),
]


class Trigger(_Model):
    id: str = Field(pattern=STEP_ID)
    module: str = Field(pattern=MODULE_KEY)
    params: dict[str, Any] = Field(default_factory=dict)
    connection: str | None = None


class Immediately(_Model):
    type: Literal["immediately"]


class Interval(_Model):
    type: Literal["interval"]
    minutes: int = Field(ge=1, le=525600)


class Cron(_Model):
    type: Literal["cron"]
    expression: str
    timezone: str = "UTC"


class OnDemand(_Model):
    type: Literal["on_demand"]


Schedule = Annotated[Immediately | Interval | Cron | OnDemand, Field(discriminator="type")]


class ScenarioSettings(_Model):
    confidential: bool = False
    store_incomplete: bool = True
    sequential: bool = False
    max_consecutive_errors: int = Field(default=3, ge=1)
    max_cycles: int = Field(default=1, ge=1, le=10000)
    timeout_seconds: float = Field(default=2400, gt=0, le=86400)
    respond_on_error: bool = True
    """A webhook whose run ends ``error`` or ``incomplete`` before ``webhooks.respond`` answers 500
    (CONTRACT.md section 6); false keeps 200 ``{"accepted": true}``."""


class Scenario(_Model):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    trigger: Trigger
    schedule: Schedule = Field(default_factory=lambda: OnDemand(type="on_demand"))
    flow: list[FlowItem] = Field(default_factory=list)
    settings: ScenarioSettings = Field(default_factory=ScenarioSettings)


OnError.model_rebuild()
Route.model_rebuild()
Scenario.model_rebuild()

TAGS = frozenset({"step", "router"})


def format_path(loc: tuple[int | str, ...]) -> str:
    """``("flow", 2, "step", "params", "url")`` -> ``flow[2].params.url``."""
    out = ""
    previous_was_index = False
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            previous_was_index = True
            continue
        if previous_was_index and part in TAGS:
            previous_was_index = False
            continue
        if part in ("function-after", "function-before", "function-wrap"):
            continue
        out += f".{part}" if out else str(part)
        previous_was_index = False
    return out
