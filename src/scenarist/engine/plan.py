"""A validated scenario compiled for execution: modules looked up, expressions
compiled, aggregators linked to their sources, every step found by its id."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from scenarist.engine.expressions import Compiled, ExpressionEngine
from scenarist.engine.model import FlowItem, OnError, Router, Scenario, ScenarioSettings, Step
from scenarist.engine.registry import Registry
from scenarist.sdk import ModuleSpec


@dataclass(eq=False)
class StepNode:
    id: str
    path: str
    module: str
    spec: ModuleSpec
    params: Compiled
    chain: list[Node]
    """The flow list this step stands in: ``chain[index] is self``, and what
    follows it is ``chain[index + 1:]``. The trigger's chain is the scenario's
    flow, with index -1."""
    index: int
    raw_params: dict[str, Any] = field(default_factory=dict)
    filter: Compiled | None = None
    handler: HandlerNode | None = None
    connection: str | None = None
    aggregators: list[StepNode] = field(default_factory=list)
    """Aggregators whose source is this step."""


@dataclass(eq=False)
class RouteNode:
    label: str | None
    filter: Compiled | None
    fallback: bool
    chain: list[Node]


@dataclass(eq=False)
class RouterNode:
    id: str
    path: str
    routes: list[RouteNode]


@dataclass(eq=False)
class HandlerNode:
    directive: str
    output: Compiled | None
    chain: list[Node]


Node = StepNode | RouterNode


@dataclass(eq=False)
class Plan:
    scenario: Scenario
    trigger: StepNode
    flow: list[Node]
    steps: dict[str, StepNode]

    @property
    def settings(self) -> ScenarioSettings:
        return self.scenario.settings

    @cached_property
    def responds(self) -> bool:
        """Whether a ``webhooks.respond`` step may answer the webhook that started a run."""
        return any(node.module == "webhooks.respond" for node in self.steps.values())


class _Compiler:
    def __init__(self, registry: Registry, expressions: ExpressionEngine) -> None:
        self.registry = registry
        self.expressions = expressions
        self.steps: dict[str, StepNode] = {}

    def plan(self, scenario: Scenario) -> Plan:
        t = scenario.trigger
        flow = self._chain(scenario.flow, "flow")
        trigger = self._node(t.id, "trigger", t.module, t.params, flow, -1, connection=t.connection)
        for node in self.steps.values():
            if node.spec.kind == "aggregator":
                source = self.steps[str(node.raw_params["source"])]
                source.aggregators.append(node)
        return Plan(scenario, trigger, flow, self.steps)

    def _chain(self, items: list[FlowItem], base: str) -> list[Node]:
        chain: list[Node] = []
        for index, item in enumerate(items):
            path = f"{base}[{index}]"
            chain.append(self._router(item, path) if isinstance(item, Router) else self._step(item, path, chain, index))
        return chain

    def _router(self, router: Router, path: str) -> RouterNode:
        routes = [
            RouteNode(
                route.label,
                self._compile(route.filter.condition) if route.filter else None,
                route.fallback,
                self._chain(route.flow, f"{path}.router[{i}].flow"),
            )
            for i, route in enumerate(router.router)
        ]
        return RouterNode(router.id, path, routes)

    def _step(self, step: Step, path: str, chain: list[Node], index: int) -> StepNode:
        node = self._node(step.id, path, step.module, step.params, chain, index, connection=step.connection)
        if step.filter is not None:
            node.filter = self._compile(step.filter.condition)
        if step.on_error is not None:
            node.handler = self._handler(step.on_error, f"{path}.on_error")
        return node

    def _handler(self, handler: OnError, path: str) -> HandlerNode:
        output = self._compile(handler.output) if handler.output is not None else None
        return HandlerNode(handler.directive, output, self._chain(handler.flow, f"{path}.flow"))

    def _node(
        self, step_id: str, path: str, module: str, params: dict[str, Any], chain: list[Node], index: int,
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
