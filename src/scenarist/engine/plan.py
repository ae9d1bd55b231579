"""A validated scenario compiled for execution: modules looked up, expressions
and filters compiled, aggregators linked to their sources, every step found by
its id.

Each flow list becomes a :class:`Chain`; the chain of an if-else branch knows
where the bundles that come out of it go on (``after``: the steps following
the block), as do the routes of a router that stands in such a branch."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from scenarist.engine.conditions import Test, compile_test
from scenarist.engine.expressions import Compiled, ExpressionEngine
from scenarist.engine.model import Conditional, FlowItem, IfElse, OnError, Router, Scenario, ScenarioSettings, Step
from scenarist.engine.registry import Registry
from scenarist.sdk import ModuleSpec


class Chain(list["Node"]):
    """A flow list of nodes, and where its bundles go on once they passed its end."""

    __slots__ = ("after",)

    def __init__(self, after: tuple[Chain, int] | None = None) -> None:
        super().__init__()
        self.after = after
        """``(chain, index)``: the node that runs next for a bundle that passed this chain's end
        (the first step after an if-else block); None: the bundle is done."""


@dataclass(eq=False)
class StepNode:
    id: str
    path: str
    module: str
    spec: ModuleSpec
    params: Compiled
    chain: Chain
    """The flow list this step stands in: ``chain[index] is self``, and what
    follows it is ``chain[index + 1:]``. The trigger's chain is the scenario's
    flow, with index -1."""
    index: int
    raw_params: dict[str, Any] = field(default_factory=dict)
    filter: Test | None = None
    handler: HandlerNode | None = None
    connection: str | None = None
    aggregators: list[StepNode] = field(default_factory=list)
    """Aggregators whose source is this step."""


@dataclass(eq=False)
class RouteNode:
    label: str | None
    filter: Test | None
    fallback: bool
    chain: Chain


@dataclass(eq=False)
class RouterNode:
    id: str
    path: str
    routes: list[RouteNode]
    chain: Chain
    index: int


@dataclass(eq=False)
class BranchNode:
    label: str | None
    test: Test
    chain: Chain


@dataclass(eq=False)
class IfElseNode:
    id: str
    path: str
    branches: list[BranchNode]
    otherwise: Chain | None
    """The ``else`` flow, run when no branch's condition holds."""
    chain: Chain
    index: int


@dataclass(eq=False)
class HandlerNode:
    directive: str
    output: Compiled | None
    chain: Chain


Node = StepNode | RouterNode | IfElseNode
Block = RouterNode | IfElseNode


@dataclass(eq=False)
class Plan:
    scenario: Scenario
    trigger: StepNode
    flow: Chain
    steps: dict[str, StepNode]
    blocks: dict[str, Block] = field(default_factory=dict)
    """Routers and if-else blocks by id: a bundle whose condition failed there resumes at them."""

    @property
    def settings(self) -> ScenarioSettings:
        return self.scenario.settings

    @cached_property
    def responds(self) -> bool:
        """Whether a step may answer the webhook that started a run (its module ``responds``)."""
        return any(node.spec.responds for node in self.steps.values())


class _Compiler:
    def __init__(self, registry: Registry, expressions: ExpressionEngine) -> None:
        self.registry = registry
        self.expressions = expressions
        self.steps: dict[str, StepNode] = {}
        self.blocks: dict[str, Block] = {}

    def plan(self, scenario: Scenario) -> Plan:
        t = scenario.trigger
        flow = self._chain(scenario.flow, "flow", None)
        trigger = self._node(t.id, "trigger", t.module, t.params, flow, -1, connection=t.connection)
        for node in self.steps.values():
            if node.spec.kind == "aggregator":
                source = self.steps[str(node.raw_params["source"])]
                source.aggregators.append(node)
        return Plan(scenario, trigger, flow, self.steps, self.blocks)

    def _chain(self, items: list[FlowItem], base: str, after: tuple[Chain, int] | None) -> Chain:
        chain = Chain(after)
        for index, item in enumerate(items):
            path = f"{base}[{index}]"
            node: Node
            if isinstance(item, Router):
                node = self._router(item, path, chain, index)
            elif isinstance(item, IfElse):
                node = self._if_else(item, path, chain, index)
            else:
                node = self._step(item, path, chain, index)
            chain.append(node)
        return chain

    def _router(self, router: Router, path: str, chain: Chain, index: int) -> RouterNode:
        routes = [
            RouteNode(
                route.label,
                self._test(route.filter, f"{path}.router[{i}].filter") if route.filter else None,
                route.fallback,
                self._chain(route.flow, f"{path}.router[{i}].flow", chain.after),
            )
            for i, route in enumerate(router.router)
        ]
        node = RouterNode(router.id, path, routes, chain, index)
        self.blocks[router.id] = node
        return node

    def _if_else(self, block: IfElse, path: str, chain: Chain, index: int) -> IfElseNode:
        after = (chain, index + 1)
        branches = [
            BranchNode(branch.label, self._test(branch, f"{path}.if_else[{i}]"),
                       self._chain(branch.flow, f"{path}.if_else[{i}].flow", after))
            for i, branch in enumerate(block.if_else)
        ]
        otherwise = self._chain(block.otherwise.flow, f"{path}.else.flow", after) if block.otherwise else None
        node = IfElseNode(block.id, path, branches, otherwise, chain, index)
        self.blocks[block.id] = node
        return node

    def _step(self, step: Step, path: str, chain: Chain, index: int) -> StepNode:
        node = self._node(step.id, path, step.module, step.params, chain, index, connection=step.connection)
        if step.filter is not None:
            node.filter = self._test(step.filter, f"{path}.filter")
        if step.on_error is not None:
            node.handler = self._handler(step.on_error, f"{path}.on_error")
        return node

    def _handler(self, handler: OnError, path: str) -> HandlerNode:
        output = self._compile(handler.output) if handler.output is not None else None
        return HandlerNode(handler.directive, output, self._chain(handler.flow, f"{path}.flow", None))

    def _test(self, holder: Conditional, path: str) -> Test:
        return compile_test(holder.condition, holder.conditions, path, self.expressions)

    def _node(
        self, step_id: str, path: str, module: str, params: dict[str, Any], chain: Chain, index: int,
        *, connection: str | None,
    ) -> StepNode:
        spec = self.registry.module(module)
        if spec is None:
            raise ValueError(f"{path}.module: unknown module {module!r}")
        node = StepNode(
            step_id, path, module, spec, self._compile(params), chain, index, params, connection=connection
        )
        self.steps[step_id] = node
        return node

    def _compile(self, value: Any) -> Compiled:
        return self.expressions.compile(value)


def compile_plan(scenario: Scenario, registry: Registry, expressions: ExpressionEngine) -> Plan:
    """Compile a scenario that ``validation.validate`` accepted."""
    return _Compiler(registry, expressions).plan(scenario)
