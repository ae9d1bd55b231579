"""Tools: shape data into variables, wait, count."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scenarist.sdk import App, ModuleSpec, RunContext, output_schema


class SetVariablesParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    variables: dict[str, Any] = Field(
        description="Name to value; the step's output is this object.",
        examples=[{"name_upper": "{{ hook.body.name | upper }}"}],
    )


async def set_variables(ctx: RunContext, params: SetVariablesParams) -> dict[str, Any]:
    return params.variables


class SleepParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: float = Field(ge=0, le=300, description="How long to wait (at most 300 s).", examples=[5])


async def sleep(ctx: RunContext, params: SleepParams) -> dict[str, Any]:
    await asyncio.sleep(params.seconds)
    return {"slept_seconds": params.seconds}


class IncrementParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: int = Field(default=1, description="Added on each operation.", examples=[1])


async def increment(ctx: RunContext, params: IncrementParams) -> dict[str, Any]:
    key = f"increment:{ctx.step_id}"
    value = int(await ctx.state.get(key) or 0) + params.by
    await ctx.state.set(key, value)
    return {"value": value}


app = App(
    key="tools",
    label="Tools",
    description="Variables, pauses and counters.",
    modules=(
        ModuleSpec("set_variables", "Set variables", "Outputs an object built from expressions.",
                   SetVariablesParams, set_variables),
        ModuleSpec("sleep", "Sleep", "Waits, then passes on.", SleepParams, sleep,
                   output=output_schema(slept_seconds={"type": "number"})),
        ModuleSpec("increment", "Increment", "A counter kept per scenario across runs: {value}.",
                   IncrementParams, increment, output=output_schema(value={"type": "integer"})),
    ),
)
