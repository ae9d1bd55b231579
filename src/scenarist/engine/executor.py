"""Walk a plan with Make's semantics and record what happens.

Bundles go depth-first: each step runs once per bundle that reaches it, and
every step's latest output for the current bundle is readable by its id. A
source step with aggregators runs its whole scope for each of its bundles
before the aggregators emit. A router runs its routes in order; an if-else
block runs the first branch whose condition holds, and a bundle that comes out
of it goes on with the steps after the block (its chain's ``after``). Errors,
a filter's included, go to the step's handler (its flow, then its directive);
an error that no handler takes (or a router's or an if-else block's condition
that fails) stores the bundle as an incomplete execution when the scenario
allows it, else ends the run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from time import perf_counter
from typing import Any, Protocol

import httpx
from pydantic import ValidationError

from scenarist.engine.credentials import Credentials
from scenarist.engine.middleware import Call, Middleware, Operation, compose, operation_chain
from scenarist.engine.plan import Block, Chain, IfElseNode, Node, Plan, RouterNode, StepNode
from scenarist.engine.progress import Progress
from scenarist.engine.recorder import Recorder
from scenarist.engine.retry import RetryPolicy
from scenarist.engine.scope import run_scope
from scenarist.sdk import (
    AggregateInput,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
    RunContext,
    TriggerEvent,
)
from scenarist.sdk import RuntimeError as ModuleRuntimeError
from scenarist.store.ports import ActivityRecord, ExecutionRecord, IncompleteRecord, RunStore, ScenarioRecord
from scenarist.types import JSON, Bundle, Clock, RunStatus, new_id


class Sealer(Protocol):
    """Encrypts confidential state (the vault)."""

    def seal(self, plaintext: bytes, aad: bytes = b"") -> bytes: ...

    def open(self, sealed: bytes, aad: bytes = b"") -> bytes: ...


Finish = Callable[[ExecutionRecord, list[ActivityRecord]], Awaitable[None]]
"""Stores a finished execution with the last of its activity (the server batches these)."""

MAX_SUBSCENARIO_DEPTH = 8
"""How deep ``scenarios.run`` may nest: a scenario that calls itself stops here."""
MAX_SUBSCENARIO_RUNS = 1000
"""How many sub-scenario runs one run may start, all levels together: an iterator calling a
scenario that iterates and calls again would otherwise multiply its runs at every level."""


class ChildBudget:
    """The sub-scenario runs one top-level run has left, shared by every level under it."""

    __slots__ = ("left",)

    def __init__(self, left: int | None = None) -> None:
        self.left = MAX_SUBSCENARIO_RUNS if left is None else left


class SubRuns(Protocol):
    """Runs a scenario of an account as a child of a run (the engine)."""

    async def run_child(self, account_id: str, scenario_id: str, trigger_input: JSON, depth: int,
                        budget: ChildBudget) -> Bundle: ...


class _ChildRunner:
    """``ctx.scenarios``: the account's scenarios, one level deeper than the run that holds it."""

    __slots__ = ("_account_id", "_budget", "_depth", "_subruns")

    def __init__(self, subruns: SubRuns, account_id: str, depth: int, budget: ChildBudget) -> None:
        self._subruns = subruns
        self._account_id = account_id
        self._depth = depth
        self._budget = budget

    async def run(self, scenario_id: str, trigger_input: JSON) -> Bundle:
        if self._depth > MAX_SUBSCENARIO_DEPTH:
            raise InvalidConfigurationError(
                f"sub-scenarios nest deeper than {MAX_SUBSCENARIO_DEPTH} levels: does a scenario call itself?"
            )
        if self._budget.left <= 0:
            raise InvalidConfigurationError("this run started as many sub-scenario runs as one run may "
                                            f"({MAX_SUBSCENARIO_RUNS})")
        self._budget.left -= 1
        return await self._subruns.run_child(self._account_id, scenario_id, trigger_input, self._depth, self._budget)


@dataclass(frozen=True)
class Services:
    """What a run needs from outside the engine, fixed when the engine is built."""

    store: RunStore
    clock: Clock
    http: httpx.AsyncClient
    sealer: Sealer | None = None
    log: Any = None
    flush_size: int = 500
    finish: Finish | None = None
    egress: Egress | None = None
    """Where modules may connect (``ctx.egress``); None: ``RunContext``'s open default."""

    credentials: Credentials | None = None
    """Resolves steps' connections; without it a step with a connection fails."""
    subruns: SubRuns | None = None
    """Runs sub-scenarios (``ctx.scenarios``); None: a step cannot call another scenario."""
    data_stores: Callable[[str], Any] | None = None
    """The data stores of an account (``ctx.data_stores``), by account id."""
    progress: Progress = field(default_factory=Progress)
    """Who watches which run (``GET /executions/{id}/events``)."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    """Which unhandled errors are retried automatically, and when."""
    middlewares: tuple[Middleware, ...] = ()
    """What a step's operation goes through, outermost first (``scenarist.engine.middleware``); empty:
    the engine's chain on ``clock``, ``credentials`` and ``retry`` (``operation_chain``)."""
    operate: Call = field(init=False, repr=False)
    """The operation call through ``middlewares``, composed once."""

    def __post_init__(self) -> None:
        if not self.middlewares:
            object.__setattr__(self, "middlewares", operation_chain(self.clock, self.credentials, self.retry))
        object.__setattr__(self, "operate", compose(self.middlewares))

    async def store_finished(self, execution: ExecutionRecord, activity: list[ActivityRecord]) -> None:
        if self.finish is not None:
            await self.finish(execution, activity)
        else:
            await self.store.finish_executions([(execution, activity)])
        self.progress.changed(execution.id)


@dataclass
class RunResult:
    execution: ExecutionRecord
    response: dict[str, Any] | None = None
    incomplete: list[IncompleteRecord] = field(default_factory=list)


class _Stop(Exception):
    """Ends the run with a status."""

    def __init__(self, status: RunStatus, error: ModuleError | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.error = error


@dataclass
class _Collector:
    items: list[tuple[Any, Any]] = field(default_factory=list)
    grouped: bool = False


class Run:
    """One execution of a plan."""

    def __init__(
        self,
        services: Services,
        plan: Plan,
        scenario: ScenarioRecord,
        execution: ExecutionRecord,
        *,
        trigger_input: JSON = None,
        trigger_event: TriggerEvent = "manual",
        responder: Any = None,
        resume: IncompleteRecord | None = None,
        depth: int = 0,
        budget: ChildBudget | None = None,
    ) -> None:
        self.s = services
        self.budget = budget or ChildBudget()
        self.depth = depth
        """0 for a scenario's own run, 1 for a sub-scenario it called, and so on."""
        self.plan = plan
        self.scenario = scenario
        self.execution = execution
        self.trigger_input = trigger_input
        self.trigger_event: TriggerEvent = trigger_event
        self.responder = responder
        self.resume = resume
        self.account_id = scenario.account_id
        self.confidential = plan.settings.confidential
        self.recorder = Recorder(services.store, execution.id, self.confidential, services.flush_size,
                                 services.progress)
        self.operations = 0
        self.response: dict[str, Any] | None = None
        self.broke: ModuleError | None = None
        self.stored: ModuleError | None = None
        """The first error that no handler took and that was stored as an incomplete execution."""
        self.incomplete: list[IncompleteRecord] = []
        self._contexts: dict[str, RunContext] = {}
        self._counters: dict[str, int] = {}
        self._collectors: dict[str, _Collector] = {}

    async def execute(self) -> RunResult:
        with run_scope(self.plan.settings.timezone, self.execution.id):  # for date functions, executionId
            status, error = await self._walk()
        finished = replace(
            self.execution,
            status=status,
            finished_at=self.s.clock.now(),
            operations=self.operations,
            error=self._error_info(error),
            response=None if self.confidential else self.response,
        )
        await self.s.store_finished(finished, await self.recorder.drain())
        return RunResult(finished, self.response, self.incomplete)

    async def _walk(self) -> tuple[RunStatus, ModuleError | None]:
        try:
            async with asyncio.timeout(self.plan.settings.timeout_seconds):
                await (self._resume() if self.resume else self._trigger())
        except _Stop as stop:
            return stop.status, stop.error
        except TimeoutError:
            limit = self.plan.settings.timeout_seconds
            return RunStatus.WARNING, ModuleTimeoutError(f"the run was cut at its timeout of {limit:g} s")
        if self.stored is not None:
            return RunStatus.INCOMPLETE, self.stored
        return (RunStatus.WARNING, self.broke) if self.broke else (RunStatus.SUCCESS, None)

    async def cancelled(self, reason: str) -> None:
        """Store this run ``cancelled`` with what it recorded so far (its caller was cut short)."""
        finished = replace(
            self.execution, status=RunStatus.CANCELLED, finished_at=self.s.clock.now(), operations=self.operations,
            error=self._error_info(ModuleTimeoutError(reason)),
        )
        await self.s.store_finished(finished, await self.recorder.drain())

    def _error_info(self, error: ModuleError | None) -> dict[str, Any] | None:
        if error is None:
            return None
        info = error.to_dict()
        if self.confidential:
            info["message"] = (type(error).__doc__ or error.type).strip()
        return info

    # -- walking ---------------------------------------------------------------

    async def _trigger(self) -> None:
        """Run the trigger, once or (polling) up to ``max_cycles`` times while it finds bundles.

        A polling trigger's state writes (its cursor) are held back and stored once every bundle
        of that poll went through the scenario or waits in an incomplete execution (or a
        ``commit`` handler ended the run): a run stopped on the way (an unhandled error without
        ``store_incomplete``, the timeout, a crash) polls the same bundles again next time
        instead of losing them."""
        trigger = self.plan.trigger
        if not trigger.spec.polling:
            outputs = await self._operate(trigger, {})
            if outputs:
                await self._fan_out(trigger, outputs, {})
            return
        staged = _StagedState(self.s.store, self.scenario.id)
        self._context(trigger).state = staged
        for _ in range(self.plan.settings.max_cycles):
            outputs = await self._operate(trigger, {})
            try:
                if outputs:
                    await self._fan_out(trigger, outputs, {})
            except _Stop as stop:
                if stop.status == RunStatus.SUCCESS:  # ``commit``: the rest of the poll is dropped on purpose
                    await staged.commit()
                raise
            await staged.commit()
            if not outputs:
                return

    async def _resume(self) -> None:
        assert self.resume is not None
        state = self._decode_state(self.resume)
        node: Node | None = self.plan.steps.get(state["step"]) or self.plan.blocks.get(state["step"])
        if node is None:
            raise _Stop(RunStatus.ERROR, DataError(f"step {state['step']!r} is no longer in the scenario"))
        if isinstance(node, RouterNode):
            await self._route(node, state["vars"], state.get("route", 0), state.get("passed", False))
            return
        await self._chain(node.chain, node.index, state["vars"])

    async def _chain(self, chain: Chain, start: int, variables: dict[str, Any]) -> None:
        while True:
            for i in range(start, len(chain)):
                node = chain[i]
                if not isinstance(node, StepNode):
                    await (self._route(node, variables) if isinstance(node, RouterNode)
                           else self._if_else(node, variables))
                    return
                try:
                    if node.filter is not None and not node.filter.holds(variables):
                        self.recorder.filtered(node, self._next_bundle(node), self.s.clock.now())
                        return
                except ModuleError as exc:
                    outputs = await self._filter_failed(node, variables, exc)
                else:
                    if node.spec.kind == "aggregator":
                        await self._collect(node, variables)
                        return
                    outputs = await self._operate(node, variables)
                if outputs is None:
                    return
                if len(outputs) != 1 or node.aggregators:
                    await self._fan_out(node, outputs, variables)
                    return
                variables = {**variables, node.id: outputs[0]}
            if chain.after is None:
                return
            chain, start = chain.after

    async def _filter_failed(self, node: StepNode, variables: dict[str, Any], exc: ModuleError) -> list[Bundle] | None:
        """The step's filter could not be evaluated: an error of the step (no operation: nothing ran)."""
        error = module_error(exc, node.id)
        self.recorder.failed(node.id, node.module, self._next_bundle(node), self.s.clock.now(), error)
        return await self._handle(node, variables, error)

    async def _fan_out(self, node: StepNode, outputs: list[Bundle], variables: dict[str, Any]) -> None:
        if not node.aggregators:
            for bundle in outputs:
                await self._chain(node.chain, node.index + 1, {**variables, node.id: bundle})
            return
        saved = {a.id: self._collectors.get(a.id) for a in node.aggregators}
        mine = {a.id: _Collector() for a in node.aggregators}
        self._collectors.update(mine)
        try:
            for bundle in outputs:
                await self._chain(node.chain, node.index + 1, {**variables, node.id: bundle})
        finally:
            for key, collector in saved.items():
                if collector is None:
                    self._collectors.pop(key, None)
                else:
                    self._collectors[key] = collector
        for aggregator in node.aggregators:
            await self._emit(aggregator, mine[aggregator.id], variables)

    async def _route(self, router: RouterNode, variables: dict[str, Any], start: int = 0,
                     passed: bool = False) -> None:
        """Routes from ``start`` on (a resumed bundle goes on at the route whose filter failed)."""
        for index in range(start, len(router.routes)):
            route = router.routes[index]
            if route.fallback:
                continue
            try:
                holds = route.filter is None or route.filter.holds(variables)
            except ModuleError as exc:
                await self._block_failed(router, variables, exc, {"route": index, "passed": passed})
                return
            if holds:
                passed = True
                await self._chain(route.chain, 0, variables)
        if not passed:
            for route in router.routes:
                if route.fallback:
                    await self._chain(route.chain, 0, variables)

    async def _if_else(self, block: IfElseNode, variables: dict[str, Any]) -> None:
        try:
            chosen = next((b.chain for b in block.branches if b.test.holds(variables)), block.otherwise)
        except ModuleError as exc:
            await self._block_failed(block, variables, exc, {})
            return
        if chosen is not None:
            await self._chain(chosen, 0, variables)

    async def _block_failed(self, block: Block, variables: dict[str, Any], exc: ModuleError,
                            resume_at: dict[str, Any]) -> None:
        """A router's or an if-else block's condition failed: no handler takes it."""
        error = module_error(exc, block.id)
        kind = "router" if isinstance(block, RouterNode) else "if_else"
        self.recorder.failed(block.id, kind, self._next_bundle(block), self.s.clock.now(), error)
        await self._unhandled(block.id, variables, error, resume_at)

    # -- operations ------------------------------------------------------------

    async def _operate(self, node: StepNode, variables: dict[str, Any]) -> list[Bundle] | None:
        """The step's operation for this bundle, through the engine's middlewares (metering, recording,
        timing, auth flagging, the retry decision); a failed one goes to the step's handler."""
        operation = Operation(self, node, variables, self._next_bundle(node))
        await self.s.operate(operation)
        if operation.error is not None:
            return await self._handle(node, variables, operation.error, retried=operation.retried)
        return operation.outputs

    async def invoke(self, operation: Operation) -> None:
        """The innermost of the chain: evaluate the params, resolve the step's connection (once per run),
        run the module; any exception is the contract's error of the step, in ``operation.error``."""
        node = operation.node
        try:
            operation.input = node.params.evaluate(operation.variables)
            params = node.spec.params.model_validate(operation.input)
            ctx = self._context(node)
            if node.connection is not None and ctx.connection is None:
                ctx.connection = await self._connection(node, node.connection)
                ctx.auth = self._auth(node.connection, ctx.connection)
            ctx.bundle_index = operation.bundle
            operation.result = await node.spec.run(ctx, params)
            operation.outputs = _bundles(node, operation.result)
        except Exception as exc:
            operation.error = module_error(exc, node.id)

    async def _collect(self, node: StepNode, variables: dict[str, Any]) -> None:
        try:
            resolved = node.params.evaluate(variables)
        except ModuleError as exc:
            await self._handle(node, variables, module_error(exc, node.id))
            return
        item = (resolved.get("value"), resolved.get("group_by"))
        collector = self._collectors.get(node.id)
        if collector is None:
            await self._emit(node, _Collector([item], "group_by" in resolved), variables)
            return
        collector.items.append(item)
        collector.grouped = collector.grouped or "group_by" in resolved

    async def _emit(self, node: StepNode, collector: _Collector, variables: dict[str, Any]) -> None:

        started, t0 = self.s.clock.now(), perf_counter()
        payload = AggregateInput.model_construct(items=collector.items, grouped=collector.grouped)
        bundles = await node.spec.run(self._context(node), payload)
        assert isinstance(bundles, list)
        for bundle in bundles:
            self.operations += 1
            self.recorder.operation(
                node, self._next_bundle(node), started, perf_counter() - t0, {"bundles": len(collector.items)},
                bundle, None,
            )
        for bundle in bundles:
            await self._chain(node.chain, node.index + 1, {**variables, node.id: bundle})

    async def _handle(self, node: StepNode, variables: dict[str, Any], error: ModuleError, *,
                      retried: bool | None = None) -> list[Bundle] | None:
        """``retried``: the retry policy's decision for ``error`` (``Retrying``), when it went through the
        middlewares; else the policy is asked here."""
        if node is self.plan.trigger:
            raise _Stop(RunStatus.ERROR, error)
        handler = node.handler
        if handler is None:
            await self._unhandled(node.id, variables, error, retried=retried)
            return None  # the bundle waits in its incomplete execution; the others go on
        with_error = {**variables, "error": error.to_dict()}
        if handler.chain:
            await self._chain(handler.chain, 0, with_error)
        return await self._directive(node, handler.directive, handler.output, variables, with_error, error)

    async def _directive(
        self, node: StepNode, directive: str, output: Any, variables: dict[str, Any],
        with_error: dict[str, Any], error: ModuleError,
    ) -> list[Bundle] | None:
        if directive == "ignore":
            return None
        if directive == "resume":
            bundle = output.evaluate(with_error) if output is not None else {}
            return [bundle if isinstance(bundle, dict) else {"value": bundle}]
        if directive == "break":
            if not self.plan.settings.store_incomplete:
                raise _Stop(RunStatus.ERROR, error)
            await self._store_incomplete(node.id, variables, error, automatic=True)
            self.broke = error
            return None
        if directive == "commit":
            raise _Stop(RunStatus.SUCCESS)
        raise _Stop(RunStatus.ERROR, error)

    # -- incomplete executions ---------------------------------------------------

    async def _unhandled(self, step: str, variables: dict[str, Any], error: ModuleError,
                         resume_at: dict[str, Any] | None = None, *, retried: bool | None = None) -> None:
        """An error no handler takes: the bundle waits in an incomplete execution (retried automatically
        when the retry policy retries the error), or the run ends."""
        if not self.plan.settings.store_incomplete:
            raise _Stop(RunStatus.ERROR, error)
        automatic = self.s.retry.retries(error) if retried is None else retried
        await self._store_incomplete(step, variables, error, automatic=automatic, resume_at=resume_at)
        self.stored = self.stored or error

    async def _store_incomplete(
        self, step: str, variables: dict[str, Any], error: ModuleError, *, automatic: bool,
        resume_at: dict[str, Any] | None = None,
    ) -> None:
        now = self.s.clock.now()
        previous, self.resume = self.resume, None
        attempts = previous.attempts + 1 if previous else 0
        record_id = previous.id if previous else new_id()
        delay = self.s.retry.delay(attempts, getattr(error, "retry_after", None)) if automatic else None
        record = IncompleteRecord(
            id=record_id,
            account_id=self.scenario.account_id,
            execution_id=previous.execution_id if previous else self.execution.id,
            scenario_id=self.scenario.id,
            step=step,
            error=self._error_info(error) or {},
            state=self._encode_state(record_id, step, variables, resume_at),
            created_at=previous.created_at if previous else now,
            attempts=attempts,
            next_retry_at=now + delay if delay is not None else None,
        )
        await self.s.store.put_incomplete(record)
        self.incomplete.append(record)

    def _encode_state(self, record_id: str, step: str, variables: dict[str, Any],
                      resume_at: dict[str, Any] | None = None) -> bytes:
        raw = json.dumps({"v": 1, "step": step, "vars": variables, **(resume_at or {})}, default=str).encode()
        if self.confidential:
            if self.s.sealer is None:
                raise RuntimeError("a confidential scenario needs the vault to store incomplete state")
            return self.s.sealer.seal(raw, record_id.encode())
        return raw

    def _decode_state(self, record: IncompleteRecord) -> dict[str, Any]:
        raw = record.state
        if not raw.startswith(b"{"):
            if self.s.sealer is None:
                raise RuntimeError("the vault is needed to resume this incomplete execution")
            raw = self.s.sealer.open(raw, record.id.encode())
        state: dict[str, Any] = json.loads(raw)
        return state

    # -- helpers ---------------------------------------------------------------

    def _next_bundle(self, node: Node) -> int:
        index = self._counters.get(node.id, 0)
        self._counters[node.id] = index + 1
        return index

    def _context(self, node: StepNode) -> RunContext:
        ctx = self._contexts.get(node.id)
        if ctx is None:
            ctx = RunContext(
                execution_id=self.execution.id,
                scenario_id=self.scenario.id,
                account_id=self.scenario.account_id,
                step_id=node.id,
                module=node.module,
                clock=self.s.clock,
                http=self.s.http,
                state=StoredState(self.s.store, self.scenario.id),
                log=self.s.log,
                trigger_input=self.trigger_input,
                trigger_event=self.trigger_event,
                responder=self._respond,
                egress=self.s.egress,
                scenarios=(_ChildRunner(self.s.subruns, self.scenario.account_id, self.depth + 1, self.budget)
                           if self.s.subruns is not None else None),
                data_stores=self.s.data_stores(self.scenario.account_id) if self.s.data_stores else None,
            )
            self._contexts[node.id] = ctx
        return ctx

    async def _connection(self, node: StepNode, connection_id: str) -> dict[str, Any]:
        """The step's connection for this run, resolved once (the context keeps it)."""
        if self.s.credentials is None:
            raise InvalidConfigurationError(f"connection {connection_id!r} cannot be used: no connection store")
        return await self.s.credentials.resolve(self.scenario.account_id, connection_id, node.spec.connection_types)

    def _auth(self, connection_id: str, connection: Mapping[str, Any]) -> httpx.Auth | None:
        assert self.s.credentials is not None  # resolved through it
        return self.s.credentials.auth(self.scenario.account_id, connection_id, connection)

    def _respond(self, status: int, body: JSON, headers: Mapping[str, str]) -> None:
        self.response = {"status": status, "headers": dict(headers), "body": body}
        if self.responder is not None:
            self.responder(self.response)


class StoredState:
    """A scenario's state on the store: ``ctx.state`` of a run, and of a trigger attaching outside one."""

    def __init__(self, store: RunStore, scenario_id: str) -> None:
        self._store = store
        self._scenario_id = scenario_id

    async def get(self, key: str) -> JSON:
        return await self._store.get_state(self._scenario_id, key)

    async def set(self, key: str, value: JSON) -> None:
        await self._store.set_state(self._scenario_id, key, value)


class _StagedState(StoredState):
    """A polling trigger's state: reads see its own writes, the store sees them on ``commit``."""

    def __init__(self, store: RunStore, scenario_id: str) -> None:
        super().__init__(store, scenario_id)
        self._pending: dict[str, JSON] = {}

    async def get(self, key: str) -> JSON:
        if key in self._pending:
            return json.loads(json.dumps(self._pending[key]))
        return await super().get(key)

    async def set(self, key: str, value: JSON) -> None:
        self._pending[key] = json.loads(json.dumps(value))

    async def commit(self) -> None:
        pending, self._pending = self._pending, {}
        for key, value in pending.items():
            await super().set(key, value)


def _bundles(node: StepNode, result: Any) -> list[Bundle]:
    if isinstance(result, dict):
        return [result]
    if isinstance(result, list) and all(isinstance(b, dict) for b in result):
        return result
    raise ModuleRuntimeError(f"{node.module} returned {type(result).__name__}, not bundles")


def module_error(exc: Exception, step: str) -> ModuleError:
    """Any exception as the contract's error of ``step``: pydantic's as ``DataError``, the rest as ``RuntimeError``."""
    if isinstance(exc, ModuleError):
        error = exc
    elif isinstance(exc, ValidationError):
        error = DataError("; ".join(_validation_message(e) for e in exc.errors(include_url=False)))
    else:
        error = ModuleRuntimeError(f"{type(exc).__name__}: {exc}")
    error.step = step
    return error


def _validation_message(err: Mapping[str, Any]) -> str:
    loc = ".".join(str(part) for part in err["loc"])
    return f"params.{loc}: {err['msg']}" if loc else str(err["msg"])

