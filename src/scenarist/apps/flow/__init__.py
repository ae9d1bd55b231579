"""Flow control: split an array into bundles, repeat, aggregate bundles back."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scenarist.sdk import AggregateInput, App, DataError, ModuleSpec, RunContext, output_schema

MAX_REPEATS = 10_000


class IteratorParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    array: Any = Field(description="The array to split; one bundle per element.", examples=["{{ hook.body.items }}"])


async def iterate(ctx: RunContext, params: IteratorParams) -> list[dict[str, Any]]:
    array = params.array
    if array is None:
        return []
    if not isinstance(array, list):
        raise DataError(f"iterator needs an array, got {type(array).__name__}")
    total = len(array)
    return [{"value": value, "index": i, "total": total} for i, value in enumerate(array)]


class RepeaterParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    repeats: int = Field(default=1, ge=0, le=MAX_REPEATS, description="How many bundles.", examples=[3])
    start: float = Field(default=1, description="The first value of i.", examples=[1])
    step: float = Field(default=1, description="Added to i for each next bundle.", examples=[1])


async def repeat(ctx: RunContext, params: RepeaterParams) -> list[dict[str, Any]]:
    def number(x: float) -> int | float:
        return int(x) if float(x).is_integer() else x

    return [{"i": number(params.start + k * params.step)} for k in range(params.repeats)]


class AggregatorParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(description="The id of the step whose bundles are aggregated.", examples=["items"])
    value: Any = Field(default=None, description="What to keep of each bundle.", examples=["{{ items.value }}"])
    group_by: Any = Field(default=None, description="Optional: one output bundle per distinct key.",
                          examples=["{{ items.value.category }}"])


async def aggregate(ctx: RunContext, params: AggregateInput) -> list[dict[str, Any]]:
    if not params.grouped:
        return [{"array": [value for value, _ in params.items]}]
    groups: dict[str, tuple[Any, list[Any]]] = {}
    for value, key in params.items:
        groups.setdefault(_group_id(key), (key, []))[1].append(value)
    return [{"key": key, "array": values} for key, values in groups.values()]


def _group_id(key: Any) -> str:
    return repr(key) if not isinstance(key, (dict, list)) else f"json:{key!r}"


app = App(
    key="flow",
    label="Flow control",
    description="Iterate over arrays, repeat, aggregate bundles.",
    modules=(
        ModuleSpec("iterator", "Iterator", "Emits one bundle per element of an array: {value, index, total}.",
                   IteratorParams, iterate, kind="search", output=output_schema(
                       value={}, index={"type": "integer"}, total={"type": "integer"})),
        ModuleSpec("repeater", "Repeater", "Emits `repeats` bundles {i}, from `start` by `step`.",
                   RepeaterParams, repeat, kind="search", output=output_schema(i={"type": "number"})),
        ModuleSpec("array_aggregator", "Array aggregator",
                   "Waits for every bundle its source emitted and emits {array} (or {key, array} per group).",
                   AggregatorParams, aggregate, kind="aggregator",
                   output=output_schema(array={"type": "array"}, key={})),
    ),
)
