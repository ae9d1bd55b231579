"""Scenarios: call another scenario of the account and wait for its output (a sub-scenario).

``scenarios.run`` runs the called scenario inline, as an execution of its own
(its log, status and retention are its own; its trigger sees ``input`` as a
manual run's input, with ``trigger_event`` ``scenario``), and outputs
``{"execution_id", "status", "output"}``. ``output`` is what the called run
answered: the ``output`` of its ``scenarios.return_output`` step (or the body
of a ``webhooks.respond``), null when it answered nothing. A called run that
ends ``error`` or ``incomplete`` fails the calling step with the same error
type, so the caller's error handlers and retries apply. Calls nest at most 8
deep, which stops a scenario that calls itself.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scenarist.sdk import App, Bundle, InvalidConfigurationError, ModuleSpec, RunContext


class RunScenarioParams(BaseModel):
    """Which scenario to call, and its input."""

    model_config = ConfigDict(extra="forbid")

    scenario_id: str = Field(
        min_length=1, description="The id of the scenario to run (one of this account's).",
        examples=["0192f3a4b5c6d7e8f9a0b1c2d3"],
    )
    input: Any = Field(
        default=None, description="The called scenario's trigger input, any JSON value.",
        examples=[{"order_id": "{{ trigger.body.id }}"}],
    )


async def run_scenario(ctx: RunContext, params: RunScenarioParams) -> Bundle:
    """Run the scenario and wait for its end; its output, or its error as this step's."""
    if ctx.scenarios is None:
        raise InvalidConfigurationError("sub-scenarios can only run inside the engine")
    return await ctx.scenarios.run(params.scenario_id, params.input)


class ReturnOutputParams(BaseModel):
    """What the scenario answers to the one that called it."""

    model_config = ConfigDict(extra="forbid")

    output: Any = Field(
        default=None, description="The output handed back to the calling scenario, any JSON value.",
        examples=[{"total": "{{ sum.total }}"}],
    )


async def return_output(ctx: RunContext, params: ReturnOutputParams) -> Bundle:
    """Set the run's answer (also a webhook's answer, as ``webhooks.respond`` with status 200)."""
    ctx.respond(200, params.output, {})
    return {"output": params.output}


app = App(
    key="scenarios",
    label="Scenarios",
    description="Run another scenario and use its output: build scenarios from reusable parts.",
    modules=(
        ModuleSpec("run", "Run a scenario", "Run another scenario of this account, wait for its end "
                   "and output {execution_id, status, output}.", RunScenarioParams, run_scenario,
                   account_objects={"scenario_id": "scenario"}),
        ModuleSpec("return_output", "Return output", "Set the output that a calling scenario receives.",
                   ReturnOutputParams, return_output),
    ),
)

__all__ = ["app"]
