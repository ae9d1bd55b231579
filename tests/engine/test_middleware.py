"""The chain a step's operation goes through: composed once per engine, in its documented order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from scenarist.engine.middleware import (
    AuthFlagging,
    Call,
    Metering,
    Operation,
    Recording,
    Retrying,
    Timing,
    compose,
    operation_chain,
)
from scenarist.engine.recorder import Recorder
from scenarist.engine.retry import RetryPolicy
from scenarist.engine.service import Engine
from scenarist.sdk import AuthenticationError, ConnectionError, ModuleError
from scenarist.store.memory import MemoryStore
from scenarist.types import ManualClock
from tests.engine.conftest import run, scenario, step


def tracer(name: str, trace: list[str]) -> Callable[[Operation, Call], Awaitable[None]]:
    async def middleware(operation: Operation, call_next: Call) -> None:
        trace.append(f"{name} in")
        await call_next(operation)
        trace.append(f"{name} out")

    return middleware


async def test_compose_calls_the_first_middleware_outermost_down_to_the_innermost() -> None:
    trace: list[str] = []

    async def innermost(operation: Operation) -> None:
        trace.append("module")

    call = compose([tracer("a", trace), tracer("b", trace), tracer("c", trace)], innermost)
    await call(Operation(FakeRun(None), NODE, {}, 0))
    assert trace == ["a in", "b in", "c in", "module", "c out", "b out", "a out"]


async def test_the_engine_composes_its_chain_once_in_the_documented_order(engine: Engine) -> None:
    chain = engine.services.middlewares
    assert [type(m) for m in chain] == [Metering, Recording, Timing, AuthFlagging, Retrying]
    operate = engine.services.operate
    await run(engine, scenario(step("one", "tools.set_variables", variables={"a": 1})), {})
    assert engine.services.operate is operate


# -- the engine's middlewares around a fake run


class Node:
    """What the middlewares read of a step (``StepNode``)."""

    id, module, connection = "call", "probe.call", "conn-1"


NODE: Any = Node()


class FakeRun:
    """A run whose module fails with ``error`` after a minute on the clock (or succeeds, without one)."""

    def __init__(self, error: BaseException | None, clock: ManualClock | None = None) -> None:
        self.account_id = "ada"
        self.operations = 0
        self.recorder = Recorder(MemoryStore(), "exec-1", confidential=False)
        self._error, self._clock = error, clock

    async def invoke(self, operation: Operation) -> None:
        operation.input = {"url": "https://example.com"}
        if self._clock is not None:
            self._clock.advance(timedelta(minutes=1))
        if isinstance(self._error, ModuleError):
            operation.error = self._error
        elif self._error is not None:
            raise self._error
        else:
            operation.result = {"ok": True}
            operation.outputs = [operation.result]


class Flags:
    """Credentials that note, at each flag, what was counted and recorded by then."""

    def __init__(self, run: FakeRun) -> None:
        self.run = run
        self.flagged: list[tuple[str, str, int, int]] = []

    async def flag(self, account_id: str, connection_id: str) -> None:
        buffered = len(await self.run.recorder.drain())
        self.flagged.append((account_id, connection_id, self.run.operations, buffered))


async def through_the_chain(error: BaseException | None) -> tuple[FakeRun, Flags, Operation, ManualClock]:
    clock = ManualClock()
    fake = FakeRun(error, clock)
    flags = Flags(fake)
    operation = Operation(fake, NODE, {}, 3)
    started = clock.now()
    await compose(operation_chain(clock, flags, RetryPolicy()))(operation)  # type: ignore[arg-type]
    assert operation.started_at == started  # timed from before the module ran
    return fake, flags, operation, clock


async def test_a_refused_credential_is_flagged_inside_the_metering_and_the_recording() -> None:
    fake, flags, operation, _ = await through_the_chain(AuthenticationError("401 from the service"))
    assert flags.flagged == [("ada", "conn-1", 0, 0)]  # neither counted nor recorded yet
    assert fake.operations == 1
    [record] = await fake.recorder.drain()
    assert (record.step, record.bundle, record.status, record.input, record.output) == (
        "call", 3, "error", {"url": "https://example.com"}, None)
    assert record.error == {"type": "AuthenticationError", "message": "401 from the service"}
    assert operation.retried is False


async def test_a_temporary_failure_is_retried_and_flags_nothing() -> None:
    fake, flags, operation, clock = await through_the_chain(ConnectionError("down"))
    assert flags.flagged == []
    assert operation.retried is True
    [record] = await fake.recorder.drain()
    assert record.started_at == clock.now() - timedelta(minutes=1)
    assert fake.operations == 1


async def test_a_success_is_counted_and_recorded_with_its_output() -> None:
    fake, flags, operation, _ = await through_the_chain(None)
    [record] = await fake.recorder.drain()
    assert (record.status, record.output, record.error) == ("success", {"ok": True}, None)
    assert (fake.operations, flags.flagged, operation.outputs) == (1, [], [{"ok": True}])


async def test_an_operation_cut_short_is_neither_counted_nor_recorded() -> None:
    fake = FakeRun(asyncio.CancelledError())
    with pytest.raises(asyncio.CancelledError):
        await compose(operation_chain(ManualClock(), None, RetryPolicy()))(Operation(fake, NODE, {}, 0))
    assert fake.operations == 0
    assert await fake.recorder.drain() == []
