"""Run one module of an app without the engine: the app author's test bench.

    async with ModuleHarness(app) as harness:
        bundles = await harness.run("say_hello", params={"name": "Ada"})

``run`` does what the engine does around one operation, and nothing else:
it validates the params with the module's pydantic model (a ``DataError``
naming ``params.<field>``, as the engine raises it), builds a ``RunContext``
(a real ``httpx.AsyncClient``, the harness's egress, a ``ManualClock``) and
returns the module's output as a list of bundles. Errors the module raises
come out as raised. ``harness.state`` is the scenario state, kept across the
calls of one harness; ``harness.response`` is what ``ctx.respond`` answered.

``attach`` and ``detach`` call a webhook trigger's hooks as activation and
deactivation do, in the same context, and hand back what the engine would keep.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from scenarist.sdk._errors import DataError, RuntimeError
from scenarist.sdk._module import App, AttachFn, DetachFn, Egress, ModuleSpec, OpenEgress, RunContext, TriggerEvent
from scenarist.sdk._types import JSON, Bundle, Clock, ManualClock


class _DictState:
    """A ScenarioState over a dict; values go through JSON, as the store keeps them."""

    def __init__(self, values: dict[str, JSON]) -> None:
        self._values = values

    async def get(self, key: str) -> JSON:
        return json.loads(json.dumps(self._values.get(key)))

    async def set(self, key: str, value: JSON) -> None:
        self._values[key] = json.loads(json.dumps(value))


class ModuleHarness:
    """Runs the modules of one app the way the engine would, one call at a time.

    ``clock`` defaults to a ``ManualClock``; ``egress`` to ``OpenEgress`` (every
    address allowed); ``http`` to a client the harness makes and closes on
    ``__aexit__`` (a client given here, e.g. on an ``httpx.MockTransport``, is
    the caller's to close).
    """

    def __init__(
        self,
        app: App,
        *,
        clock: Clock | None = None,
        egress: Egress | None = None,
        http: httpx.AsyncClient | None = None,
        step_id: str = "step1",
    ) -> None:
        self.app = app
        self.clock: Clock = clock or ManualClock()
        self.egress: Egress = egress or OpenEgress()
        self.step_id = step_id
        self.state: dict[str, JSON] = {}
        """The scenario state (key to JSON value), shared by every call of this harness."""
        self.response: dict[str, Any] | None = None
        """``{"status", "headers", "body"}`` from the last run's ``ctx.respond``, else None."""
        self._http = http
        self._owns_http = http is None
        self._runs = 0

    async def __aenter__(self) -> ModuleHarness:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client the harness made (if it made one)."""
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    def module(self, key: str) -> ModuleSpec:
        """The module ``key`` (``"say_hello"`` or ``"greetings.say_hello"``) of the app."""
        spec = self.app.module(key.removeprefix(f"{self.app.key}."))
        if spec is None:
            known = ", ".join(m.key for m in self.app.modules)
            raise KeyError(f"app {self.app.key!r} has no module {key!r} (it has: {known})")
        return spec

    async def run(
        self,
        key: str,
        params: Mapping[str, Any] | None = None,
        *,
        connection: Mapping[str, Any] | None = None,
        trigger_input: JSON = None,
        trigger_event: TriggerEvent = "manual",
        state: Mapping[str, JSON] | None = None,
        auth: httpx.Auth | None = None,
    ) -> list[Bundle]:
        """Validate ``params``, run the module once, return its bundles (one for an action).

        ``state`` is merged into ``harness.state`` before the call; ``connection``
        is what the engine would resolve: ``{"type": "app.type", "fields": {...}}``.
        ``ctx.auth`` is ``auth`` if given, else the connection type's ``auth`` factory
        applied to the connection's fields (an OAuth 2.0 type needs ``auth`` given).
        """
        spec = self.module(key)
        validated = self._validate(spec, params or {})
        self.state.update(state or {})
        self.response = None
        ctx = self._context(spec, connection, trigger_input, trigger_event)
        ctx.auth = auth if auth is not None else self._auth(connection)
        result = await spec.run(ctx, validated)
        return _bundles(spec, result)

    async def attach(
        self,
        key: str,
        params: Mapping[str, Any] | None,
        webhook_url: str,
        *,
        connection: Mapping[str, Any] | None = None,
        auth: httpx.Auth | None = None,
    ) -> JSON:
        """Register ``webhook_url`` as activating a scenario does: ``await attach(ctx, params, webhook_url)``.

        Returns what attach returned, as the engine keeps it (through JSON: a value JSON
        cannot hold is the engine's ``RuntimeError``); pass it to ``detach``."""
        spec, hook, _ = self._hooks(key)
        ctx, validated = self._hook_call(spec, params, connection, auth)
        attached = await hook(ctx, validated, webhook_url)
        try:
            return json.loads(json.dumps(attached, allow_nan=False))
        except (TypeError, ValueError):
            raise RuntimeError(f"{spec.key}'s attach returned {type(attached).__name__}, not JSON") from None

    async def detach(
        self,
        key: str,
        params: Mapping[str, Any] | None,
        attached: JSON,
        *,
        connection: Mapping[str, Any] | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        """Unregister as deactivating a scenario does: ``await detach(ctx, params, attached)``, with the
        params and connection given to ``attach`` and what it returned."""
        spec, _, hook = self._hooks(key)
        ctx, validated = self._hook_call(spec, params, connection, auth)
        await hook(ctx, validated, attached)

    def _hooks(self, key: str) -> tuple[ModuleSpec, AttachFn, DetachFn]:
        spec = self.module(key)
        if spec.attach is None or spec.detach is None:
            raise KeyError(f"module {key!r} of app {self.app.key!r} has no attach and detach (it is no webhook "
                           "trigger that registers itself)")
        return spec, spec.attach, spec.detach

    def _hook_call(
        self, spec: ModuleSpec, params: Mapping[str, Any] | None, connection: Mapping[str, Any] | None,
        auth: httpx.Auth | None,
    ) -> tuple[RunContext, BaseModel]:
        """The validated params and the context of a call outside a run: no trigger input, no answer."""
        validated = self._validate(spec, params or {})
        ctx = self._context(spec, connection, None, "manual")
        ctx.auth = auth if auth is not None else self._auth(connection)
        return ctx, validated

    def _validate(self, spec: ModuleSpec, params: Mapping[str, Any]) -> BaseModel:
        try:
            return spec.params.model_validate(params)
        except ValidationError as exc:
            problems = "; ".join(_problem(e) for e in exc.errors(include_url=False))
            raise DataError(problems, step=self.step_id) from exc

    def _context(
        self,
        spec: ModuleSpec,
        connection: Mapping[str, Any] | None,
        trigger_input: JSON,
        trigger_event: TriggerEvent,
    ) -> RunContext:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=40)
        self._runs += 1
        return RunContext(
            execution_id=f"harness-{self._runs}",
            scenario_id="harness",
            account_id="local",
            step_id=self.step_id,
            module=f"{self.app.key}.{spec.key}",
            clock=self.clock,
            http=self._http,
            state=_DictState(self.state),
            log=logging.getLogger(f"scenarist.apps.{self.app.key}"),
            connection=connection,
            trigger_input=trigger_input,
            trigger_event=trigger_event,
            responder=self._respond,
            egress=self.egress,
        )

    def _auth(self, connection: Mapping[str, Any] | None) -> httpx.Auth | None:
        if connection is None:
            return None
        kind = next((c for c in self.app.connection_types if c.key == connection.get("type")), None)
        if kind is None or kind.auth is None:
            return None
        return kind.auth(connection.get("fields") or {})

    def _respond(self, status: int, body: JSON, headers: Mapping[str, str]) -> None:
        self.response = {"status": status, "headers": dict(headers), "body": body}


def _problem(err: Mapping[str, Any]) -> str:
    loc = ".".join(str(part) for part in err["loc"])
    return f"params.{loc}: {err['msg']}" if loc else str(err["msg"])


def _bundles(spec: ModuleSpec, result: object) -> list[Bundle]:
    if isinstance(result, dict):
        return [result]
    if isinstance(result, list) and all(isinstance(b, dict) for b in result):
        return result
    raise RuntimeError(f"{spec.key} returned {type(result).__name__}, not bundles")
