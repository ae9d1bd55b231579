"""The scenario definition of contract section 3 as pydantic models.

Parsing checks shapes only; ``validation.validate`` checks what needs the app
catalogue and the expression engine (modules, params, references, ids).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, StrictBool, Tag, model_validator
from pydantic_core import PydanticCustomError

STEP_ID = r"^[a-z][a-z0-9_]*$"
MODULE_KEY = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"


class _Model(BaseModel):
    """Booleans are ``StrictBool``: 0, 1 and "true" are not booleans in a definition."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Model):
    """One row of Make's structured filter: ``a`` compared with ``b`` by the operator ``o``."""

    a: Any = Field(description="The value tested: an expression or a constant.")
    o: str = Field(description="The operator, by Make's name (``text:equal``, ``number:greater``, ``exist``...).")
    b: Any = Field(default=None, description="The value compared with; every operator but exist/notexist needs it.")


class Conditional(_Model):
    """Holds either ``condition`` (one expression) or ``conditions`` (Make's rows: AND inside, OR across)."""

    label: str | None = None
    condition: str | StrictBool | None = Field(
        default=None, description="An expression; a bundle whose condition is false stops."
    )
    conditions: list[list[Condition]] | None = Field(
        default=None, min_length=1, description="Groups of conditions: every row of a group holds (AND), "
        "and at least one group (OR).",
    )

    @model_validator(mode="after")
    def _one_form(self) -> Conditional:
        if (self.condition is None) == (self.conditions is None):
            raise ValueError("give either 'condition' (an expression) or 'conditions' (rows of a, o, b), not both")
        if self.conditions is not None and not all(self.conditions):
            raise ValueError("each group of 'conditions' holds at least one condition")
        return self


class Filter(Conditional):
    pass


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
    fallback: StrictBool = False
    flow: list[FlowItem] = Field(default_factory=list)


class Router(_Model):
    id: str = Field(pattern=STEP_ID)
    router: list[Route] = Field(min_length=1)


class Branch(Conditional):
    flow: list[FlowItem] = Field(default_factory=list)


class Otherwise(_Model):
    flow: list[FlowItem] = Field(default_factory=list)


class IfElse(_Model):
    """Make's if-else and merge: the first branch whose condition holds runs; steps may follow."""

    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True)

    id: str = Field(pattern=STEP_ID)
    if_else: list[Branch] = Field(min_length=1)
    otherwise: Otherwise | None = Field(default=None, alias="else")


def _item_kind(value: Any) -> str:
    if isinstance(value, dict):
        for kind in ("router", "if_else"):
            if kind in value:
                return kind
        return "step"
    if isinstance(value, Router):
        return "router"
    return "if_else" if isinstance(value, IfElse) else "step"


FlowItem = Annotated[
    Annotated[Step, Tag("step")] | Annotated[Router, Tag("router")] | Annotated[IfElse, Tag("if_else")],
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


def _iana_zone(name: str) -> str:
    """``name`` if it is an IANA time zone (``Europe/Prague``, ``UTC``)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        message = "unknown time zone '{name}' (an IANA name such as 'Europe/Prague')"
        raise PydanticCustomError("time_zone", message, {"name": name}) from None
    return name


TimeZone = Annotated[str, AfterValidator(_iana_zone)]


class ScenarioSettings(_Model):
    confidential: StrictBool = False
    store_incomplete: StrictBool = True
    sequential: StrictBool = False
    max_consecutive_errors: int = Field(default=3, ge=1)
    max_cycles: int = Field(default=1, ge=1, le=10000)
    timeout_seconds: float = Field(default=2400, gt=0, le=86400)
    timezone: TimeZone = Field(
        default="UTC", description="The time zone of date functions given none (formatDate, setHour...)."
    )
    respond_on_error: StrictBool = Field(
        default=True, description="A webhook whose run ends error or incomplete before webhooks.respond answers "
        "500; false keeps 200 {\"accepted\": true}.",
    )


class Scenario(_Model):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    trigger: Trigger
    schedule: Schedule = Field(default_factory=lambda: OnDemand(type="on_demand"))
    flow: list[FlowItem] = Field(default_factory=list)
    settings: ScenarioSettings = Field(default_factory=ScenarioSettings)
    ui: dict[str, Any] | None = Field(
        default=None, description="What the editor keeps (layout, notes); the engine ignores it."
    )


OnError.model_rebuild()
Route.model_rebuild()
Branch.model_rebuild()
Otherwise.model_rebuild()
Scenario.model_rebuild()

TAGS = frozenset({"step", "router", "if_else"})
SCHEDULES = frozenset({"immediately", "interval", "cron", "on_demand"})


def format_path(loc: tuple[int | str, ...]) -> str:
    """``("flow", 2, "step", "params", "url")`` -> ``flow[2].params.url``."""
    out = ""
    previous_was_index = False
    previous: int | str | None = None
    for part in loc:
        after, previous = previous, part
        if after == "schedule" and part in SCHEDULES:
            continue
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
