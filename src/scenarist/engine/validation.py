"""Check a scenario definition and report every problem with its path.

Shapes come from ``model`` (worded by ``problems``); this module adds what
needs the app catalogue and the expression engine: modules exist and fit their
place, params fit their module, every expression compiles and reads only steps
that ran before, filters use known operators (with ``b`` where they need it, and
valid regular expressions), ids are unique, routers end their flow, schedules
parse.

Which steps an expression may read: those before it on its path. Inside an
if-else branch, the steps of that branch and those before the block; after the
block, those and the steps of every branch (a branch that did not run for the
bundle leaves its steps null).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from croniter import croniter
from pydantic import BaseModel, ValidationError

from scenarist.engine.conditions import OPERATORS, PATTERNS, UNARY, operator_problem, pattern_problem
from scenarist.engine.expressions import ExpressionEngine, ExpressionError
from scenarist.engine.model import (
    Condition,
    Conditional,
    Cron,
    FlowItem,
    IfElse,
    Immediately,
    OnError,
    Router,
    Scenario,
    Step,
)
from scenarist.engine.problems import Problem, pydantic_problems
from scenarist.engine.registry import Registry
from scenarist.sdk import ModuleSpec

__all__ = ["Problem", "Validation", "pydantic_problems", "validate"]


@dataclass
class Validation:
    scenario: Scenario | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.problems


def validate(data: Any, registry: Registry, expressions: ExpressionEngine) -> Validation:
    """Parse and check ``data``; every problem found, not just the first."""
    if not isinstance(data, Mapping):
        return Validation(None, [Problem("", "a scenario is an object (JSON or YAML mapping)")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        return Validation(None, pydantic_problems(exc))
    checker = _Checker(registry, expressions)
    checker.check(scenario)
    return Validation(scenario, checker.problems)


class _Checker:
    def __init__(self, registry: Registry, expressions: ExpressionEngine) -> None:
        self.registry = registry
        self.expressions = expressions
        self.problems: list[Problem] = []
        self.ids: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def check(self, scenario: Scenario) -> None:
        self.all_ids = set(_all_ids(scenario.flow)) | {scenario.trigger.id}
        trigger = scenario.trigger
        self._register(trigger.id, "trigger.id")
        spec = self._module(trigger.module, "trigger.module")
        if spec is not None:
            if spec.kind == "aggregator":
                self.add("trigger.module", f"{trigger.module} cannot start a scenario")
            if isinstance(scenario.schedule, Immediately) and spec.kind != "trigger":
                self.add("schedule.type", f"{trigger.module} is not an instant trigger; schedule it instead")
            self._params(spec, trigger.params, "trigger", [])
            self._connection(spec, trigger.connection, "trigger")
        self._schedule(scenario)
        self._chain(scenario.flow, "flow", [trigger.id])

    def _schedule(self, scenario: Scenario) -> None:
        schedule = scenario.schedule
        if not isinstance(schedule, Cron):
            return
        if not croniter.is_valid(schedule.expression):
            self.add("schedule.expression", f"not a valid cron expression: {schedule.expression!r}")
        try:
            zoneinfo.ZoneInfo(schedule.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.add("schedule.timezone", f"unknown time zone {schedule.timezone!r}")

    def _register(self, step_id: str, path: str) -> None:
        if step_id in self.ids:
            self.add(path, f"duplicate id {step_id!r} (first used at {self.ids[step_id]})")
        else:
            self.ids[step_id] = path

    def _module(self, key: str, path: str) -> ModuleSpec | None:
        spec = self.registry.module(key)
        if spec is None:
            self.add(path, f"unknown module {key!r}")
        return spec

    def _chain(self, items: list[FlowItem], base: str, available: list[str]) -> list[str]:
        """Check a flow; the steps readable at its end."""
        available = list(available)
        for index, item in enumerate(items):
            path = f"{base}[{index}]"
            if isinstance(item, Router):
                if index != len(items) - 1:
                    self.add(path, "nothing may follow a router in the same flow; put those steps into its "
                             "routes, or use an if-else block, which steps may follow")
                available = self._router(item, path, available)
            elif isinstance(item, IfElse):
                available = self._if_else(item, path, available)
            else:
                available = self._step(item, path, available)
        return available

    def _router(self, router: Router, path: str, available: list[str]) -> list[str]:
        self._register(router.id, f"{path}.id")
        if sum(route.fallback for route in router.router) > 1:
            self.add(f"{path}.router", "at most one route may be the fallback")
        ends: list[str] = []
        for r_index, route in enumerate(router.router):
            r_path = f"{path}.router[{r_index}]"
            if route.filter is not None:
                self._test(route.filter, f"{r_path}.filter", available)
            ends += self._chain(route.flow, f"{r_path}.flow", available)
        return list(dict.fromkeys(ends))

    def _if_else(self, block: IfElse, path: str, available: list[str]) -> list[str]:
        """Check the branches; after the block, the steps of every branch are readable too."""
        self._register(block.id, f"{path}.id")
        ends = list(available)
        for b_index, branch in enumerate(block.if_else):
            b_path = f"{path}.if_else[{b_index}]"
            self._test(branch, b_path, available)
            ends += self._chain(branch.flow, f"{b_path}.flow", available)
        if block.otherwise is not None:
            ends += self._chain(block.otherwise.flow, f"{path}.else.flow", available)
        return list(dict.fromkeys(ends))

    def _test(self, holder: Conditional, path: str, available: list[str]) -> None:
        """A filter's (or a branch's) ``condition`` or ``conditions``."""
        if holder.conditions is None:
            self._expression(holder.condition, f"{path}.condition", available)
            return
        for g_index, group in enumerate(holder.conditions):
            for c_index, row in enumerate(group):
                self._row(row, f"{path}.conditions[{g_index}][{c_index}]", available)

    def _row(self, row: Condition, path: str, available: list[str]) -> None:
        self._expression(row.a, f"{path}.a", available)
        problem = operator_problem(row.o)
        if problem is not None:
            self.add(f"{path}.o", problem)
        if row.b is None:
            if row.o in OPERATORS and row.o not in UNARY:
                self.add(f"{path}.b", f"required: {row.o} compares a with b")
            return
        constant = self._expression(row.b, f"{path}.b", available)
        if constant and row.o in PATTERNS:
            problem = pattern_problem(str(row.b))
            if problem is not None:
                self.add(f"{path}.b", problem)

    def _step(self, step: Step, path: str, available: list[str]) -> list[str]:
        self._register(step.id, f"{path}.id")
        if step.filter is not None:
            self._test(step.filter, f"{path}.filter", available)
        spec = self._module(step.module, f"{path}.module")
        after = [*available, step.id]
        if spec is not None:
            if spec.kind == "trigger":
                self.add(f"{path}.module", f"{step.module} is a trigger; it can only start a scenario")
            self._params(spec, step.params, path, available)
            self._connection(spec, step.connection, path)
            if spec.kind == "aggregator":
                after = self._aggregator(step, path, available)
        if step.on_error is not None:
            self._handler(step.on_error, f"{path}.on_error", [*available, "error"])
        return after

    def _aggregator(self, step: Step, path: str, available: list[str]) -> list[str]:
        source = step.params.get("source")
        if source not in available[1:] and source != available[0]:
            self.add(f"{path}.params.source", f"{source!r} is not a step before this aggregator")
            return [*available, step.id]
        outside = next((m.group(0) for m in _BRANCH.finditer(self.ids.get(str(source), ""))
                        if not path.startswith(self.ids[str(source)][: m.end()])), None)
        if outside is not None:
            self.add(f"{path}.params.source", f"{source!r} is inside a branch or route ({outside.strip('.')}) that "
                     "this aggregator is not in; aggregate inside it, or a step before the block")
        return [*available[: available.index(source)], step.id]

    def _handler(self, handler: OnError, path: str, available: list[str]) -> None:
        if handler.output is not None:
            if handler.directive != "resume":
                self.add(f"{path}.output", "only the resume directive takes an output")
            self._expression(handler.output, f"{path}.output", available)
        self._chain(handler.flow, f"{path}.flow", available)

    def _connection(self, spec: ModuleSpec, connection: str | None, path: str) -> None:
        if connection is not None and not spec.connection_types:
            self.add(f"{path}.connection", "this module takes no connection")
        if connection is None and spec.connection_required:
            self.add(f"{path}.connection", "this module needs a connection")

    def _params(self, spec: ModuleSpec, params: dict[str, Any], path: str, available: list[str]) -> None:
        fields = {info.alias or name: info for name, info in spec.params.model_fields.items()}
        for key in params:
            if key not in fields:
                self.add(f"{path}.params.{key}", "unknown parameter")
        constant: dict[str, Any] = {}
        partial: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            if key in fields and self._expression(value, f"{path}.params.{key}", available):
                constant[key] = value
            elif key in fields and isinstance(value, Mapping):
                partial[key] = {k: v for k, v in value.items() if self._literal(v)}
        for name, info in fields.items():
            if info.is_required() and name not in params:
                self.add(f"{path}.params.{name}", "required")
        self._constant_params(spec.params, constant, f"{path}.params")
        if partial:
            self._partial_params(spec.params, constant, partial, f"{path}.params")

    def _literal(self, value: Any) -> bool:
        try:
            return bool(self.expressions.compile(value).is_constant)
        except ExpressionError:
            return False

    def _constant_params(self, model: type[BaseModel], constant: dict[str, Any], path: str) -> None:
        try:
            model.model_validate(constant)
        except ValidationError as exc:
            for problem in pydantic_problems(exc, path):
                key = problem.path[len(path) + 1 :].split(".")[0].split("[")[0]
                if key in constant or problem.path == path:
                    self.problems.append(problem)

    def _partial_params(self, model: type[BaseModel], constant: dict[str, Any],
                        partial: dict[str, dict[str, Any]], path: str) -> None:
        """An object param with some literal entries (``headers: {"A": "x", "B": "{{ b }}"}``): each
        literal entry is checked now, the others at run time."""
        try:
            model.model_validate({**constant, **partial})
        except ValidationError as exc:
            entries = {f"{path}.{key}.{entry}" for key, values in partial.items() for entry in values}
            self.problems.extend(p for p in pydantic_problems(exc, path)
                                 if any(p.path == e or p.path.startswith((f"{e}.", f"{e}[")) for e in entries))

    def _expression(self, value: Any, path: str, available: list[str]) -> bool:
        """Check every expression in value, each on its own; True when value holds none."""
        constant = True
        for source, inner in _strings(value, path):
            constant = False
            try:
                self.expressions.compile(source)
                names = self.expressions.references(source)
            except ExpressionError as exc:
                self.add(inner, exc.message)
                continue
            for name in sorted(names):
                if name not in available:
                    where = "a step that is not before this one" if name in self.all_ids else "no step before this one"
                    self.add(inner, f"the expression reads {name!r}, {where}")
        return constant


_BRANCH = re.compile(r"\.(?:if_else\[\d+\]|else|router\[\d+\])\.flow")
"""Where a path enters an if-else branch, its else flow or a route."""


def _strings(value: Any, path: str) -> list[tuple[str, str]]:
    """The strings holding ``{{`` in value, each with its path."""
    if isinstance(value, str):
        return [(value, path)] if "{{" in value else []
    found: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            found += _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found += _strings(item, f"{path}[{index}]")
    return found


def _all_ids(items: list[FlowItem]) -> list[str]:
    ids = []
    for item in items:
        ids.append(item.id)
        if isinstance(item, Router):
            for route in item.router:
                ids.extend(_all_ids(route.flow))
        elif isinstance(item, IfElse):
            for branch in item.if_else:
                ids.extend(_all_ids(branch.flow))
            if item.otherwise is not None:
                ids.extend(_all_ids(item.otherwise.flow))
        elif item.on_error is not None:
            ids.extend(_all_ids(item.on_error.flow))
    return ids
