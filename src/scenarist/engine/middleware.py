"""A step's operation, through the chain of middlewares the engine composes once.

An operation is one call of a step's module for one bundle. The run hands it, as
an ``Operation``, to the engine's chain: each middleware is an async callable
``(operation, call_next)`` that does its part around the next one, and the
innermost, ``invoke``, is the run's own (evaluate the params, resolve the
connection, run the module; any exception becomes the contract's error, in
``operation.error``, so that every middleware sees a failed operation as it sees
a successful one). From the outside in (``operation_chain``):

``Metering``      counts the operation, a failed one included (the run's ``operations``)
``Recording``     writes its activity record: input, output or error, when and how long
``Timing``        its metrics: when it started (the engine's clock) and the seconds it took
``AuthFlagging``  flags the step's connection when the service refused its credentials
``Retrying``      the retry policy's decision for its error: retried automatically or not

Recording goes outside Timing so that the record holds the timing, and Timing
outside the flagging so that the duration is all the operation cost, as it was
when these lived inline in the run. An operation cut short (the run's timeout
cancels it) goes through none of them on the way out: it is neither counted nor
recorded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from time import perf_counter
from typing import Any, Protocol

from scenarist.engine.credentials import Credentials
from scenarist.engine.plan import StepNode
from scenarist.engine.recorder import Recorder
from scenarist.engine.retry import RetryPolicy
from scenarist.sdk import AuthenticationError, ModuleError
from scenarist.types import Bundle, Clock


class OperationRun(Protocol):
    """What the middlewares see of the run an operation belongs to (``executor.Run``)."""

    account_id: str
    operations: int
    recorder: Recorder

    def invoke(self, operation: Operation) -> Awaitable[None]:
        """Evaluate, validate, resolve the connection, run the module: the innermost of the chain."""
        ...


@dataclass(slots=True)
class Operation:
    """One call of ``node``'s module for its bundle number ``bundle``; the middlewares fill it in."""

    run: OperationRun
    node: StepNode
    variables: dict[str, Any]
    bundle: int
    started_at: datetime | None = None
    """When it started, on the engine's clock (``Timing``)."""
    seconds: float = 0.0
    """How long it took, the middlewares inside ``Timing`` included."""
    input: Any = None
    """The params as evaluated (None when their evaluation failed)."""
    result: Any = None
    """What the module returned."""
    outputs: list[Bundle] | None = None
    """The bundles it emits (None when it failed)."""
    error: ModuleError | None = None
    """Why it failed, as the contract's error of the step."""
    retried: bool = False
    """Its error is one the retry policy retries automatically (``Retrying``)."""


Call = Callable[[Operation], Awaitable[None]]
Middleware = Callable[[Operation, Call], Awaitable[None]]


def invoke(operation: Operation) -> Awaitable[None]:
    """The innermost call of every chain: the run's own ``invoke``."""
    return operation.run.invoke(operation)


@dataclass(frozen=True, slots=True)
class _Link:
    middleware: Middleware
    call_next: Call

    def __call__(self, operation: Operation) -> Awaitable[None]:
        return self.middleware(operation, self.call_next)


def compose(middlewares: Sequence[Middleware], innermost: Call = invoke) -> Call:
    """One call through ``middlewares``, the first outermost, down to ``innermost``."""
    call = innermost
    for middleware in reversed(middlewares):
        call = _Link(middleware, call)
    return call


@dataclass(frozen=True, slots=True)
class Metering:
    """Counts every operation that ran to its end, a failed one included: the run's ``operations``."""

    async def __call__(self, operation: Operation, call_next: Call) -> None:
        await call_next(operation)
        operation.run.operations += 1


@dataclass(frozen=True, slots=True)
class Recording:
    """Writes the operation's activity record; after a success, lets the recorder flush a full buffer."""

    async def __call__(self, operation: Operation, call_next: Call) -> None:
        await call_next(operation)
        assert operation.started_at is not None, "Timing goes inside Recording"
        recorder, error = operation.run.recorder, operation.error
        recorder.operation(operation.node, operation.bundle, operation.started_at, operation.seconds,
                           operation.input, operation.result if error is None else None, error)
        if error is None:
            recorder.maybe_flush()


@dataclass(frozen=True, slots=True)
class Timing:
    """The operation's metrics: its start on ``clock`` and its duration (``perf_counter``)."""

    clock: Clock

    async def __call__(self, operation: Operation, call_next: Call) -> None:
        operation.started_at, t0 = self.clock.now(), perf_counter()
        try:
            await call_next(operation)
        finally:
            operation.seconds = perf_counter() - t0


@dataclass(frozen=True, slots=True)
class AuthFlagging:
    """A step whose connection's credentials the service refused (``AuthenticationError``) flags that
    connection (``Credentials.flag``), so that its owner sees it needs new ones."""

    credentials: Credentials | None

    async def __call__(self, operation: Operation, call_next: Call) -> None:
        await call_next(operation)
        connection = operation.node.connection
        if isinstance(operation.error, AuthenticationError) and connection is not None \
                and self.credentials is not None:
            await self.credentials.flag(operation.run.account_id, connection)


@dataclass(frozen=True, slots=True)
class Retrying:
    """Decides, by ``policy``, whether the operation's error is retried automatically when no handler
    takes it (``Operation.retried``; the run stores it so in its incomplete execution)."""

    policy: RetryPolicy

    async def __call__(self, operation: Operation, call_next: Call) -> None:
        await call_next(operation)
        if operation.error is not None:
            operation.retried = self.policy.retries(operation.error)


def operation_chain(clock: Clock, credentials: Credentials | None, retry: RetryPolicy) -> tuple[Middleware, ...]:
    """The engine's middlewares, outermost first (the module docstring says why this order)."""
    return (Metering(), Recording(), Timing(clock), AuthFlagging(credentials), Retrying(retry))
