"""An engine on the in-memory store with a manual clock and a probe app."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import BaseModel

from scenarist.egress import EgressGuard, EgressPolicy
from scenarist.engine.registry import Registry
from scenarist.engine.service import Engine, RunResult
from scenarist.sdk import ERROR_TYPES, App, ConnectionError, ModuleSpec, RateLimitError, RunContext
from scenarist.store.memory import MemoryStore
from scenarist.types import ManualClock
from scenarist.vault import Vault
from tests.engine_kit import new_engine

TEST_KEY = "t1:" + base64.b64encode(bytes(range(32))).decode()


class FailParams(BaseModel):
    type: str = "DataError"
    message: str = "boom"
    retry_after: float | None = None


async def fail(ctx: RunContext, params: FailParams) -> dict[str, Any]:
    if params.type == "RateLimitError":
        raise RateLimitError(params.message, retry_after=params.retry_after)
    raise ERROR_TYPES[params.type](params.message)


class FlakyParams(BaseModel):
    key: str = "healthy"


async def flaky(ctx: RunContext, params: FlakyParams) -> dict[str, Any]:
    if not await ctx.state.get(params.key):
        raise ConnectionError("the other side is down")
    return {"ok": True}


class PollParams(BaseModel):
    items: list[Any]
    batch: int = 2


async def poll(ctx: RunContext, params: PollParams) -> list[dict[str, Any]]:
    cursor = int(await ctx.state.get("cursor") or 0)
    await ctx.state.set("cursor", cursor + params.batch)
    return [{"item": item} for item in params.items[cursor : cursor + params.batch]]


class SlowParams(BaseModel):
    seconds: float


async def slow(ctx: RunContext, params: SlowParams) -> dict[str, Any]:
    await asyncio.sleep(params.seconds)
    return {}


PROBE = App(
    key="probe",
    label="Probe",
    modules=(
        ModuleSpec("fail", "Fail", "Raises the given error type.", FailParams, fail),
        ModuleSpec("flaky", "Flaky", "Fails until the scenario state key is set.", FlakyParams, flaky),
        ModuleSpec("poll", "Poll", "A polling trigger over a list.", PollParams, poll, kind="search", polling=True),
        ModuleSpec("slow", "Slow", "Sleeps.", SlowParams, slow),
    ),
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def registry() -> Registry:
    return Registry([*Registry.discover().apps.values(), PROBE])


@pytest.fixture
async def engine(clock: ManualClock, registry: Registry) -> AsyncIterator[Engine]:
    eng = new_engine(MemoryStore(), registry, clock=clock, sealer=Vault.parse(TEST_KEY), flush_size=7,
                 egress=EgressGuard(EgressPolicy.parse("127.0.0.0/8,::1")))
    yield eng
    await eng.aclose()


def scenario(*flow: dict[str, Any], trigger: dict[str, Any] | None = None, **settings: Any) -> dict[str, Any]:
    """A webhook scenario with the given flow items and settings."""
    return {
        "name": "test",
        "trigger": trigger or {"id": "hook", "module": "webhooks.custom"},
        "flow": list(flow),
        "settings": settings,
    }


def step(step_id: str, module: str, **params: Any) -> dict[str, Any]:
    return {"id": step_id, "module": module, "params": params}


async def run(engine: Engine, definition: dict[str, Any], body: Any = None) -> RunResult:
    record = await engine.save_scenario(definition)
    return await engine.run(record, body)


async def outputs(engine: Engine, result: RunResult, step_id: str) -> list[Any]:
    execution = result.execution
    activity = await engine.store.get_activity(execution.account_id, execution.id)
    return [r.output for r in activity if r.step == step_id and r.status == "success"]
