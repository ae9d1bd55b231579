"""Apps, modules and the context a module runs in.

A module is data plus one coroutine: ``ModuleSpec`` names it, declares its
params as a pydantic model (the UI form, the docs and validation all come from
that model's JSON Schema) and points at ``run(ctx, params)``. What ``run``
returns depends on the module's ``kind``:

- ``trigger``: the first module of a scenario; one bundle from ``ctx.trigger_input``.
- ``action``: exactly one output bundle (a dict).
- ``search``: zero or more output bundles (a list of dicts); the iterator and
  the repeater are searches.
- ``aggregator``: collects the bundles of a source step; the engine runs it
  (``flow.array_aggregator``), ``run`` receives ``AggregateInput``.

A ``polling`` module used as a trigger is called up to ``max_cycles`` times
per run while it returns bundles; it keeps its cursor in ``ctx.state``, and the
engine stores what a poll wrote there only once the bundles of that poll went
through the scenario: a run stopped on the way polls them again (at least
once, never lost).
"""

from __future__ import annotations

import asyncio
import functools
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, ParamSpec, Protocol, TypeVar

import httpx
from pydantic import BaseModel

from scenarist.sdk._datastores import DataStores
from scenarist.sdk._errors import ConnectionError as ModuleConnectionError
from scenarist.sdk._oauth import OAuth2Endpoints
from scenarist.sdk._types import JSON, Bundle, Clock

ModuleKind = Literal["trigger", "action", "search", "aggregator"]
AccountObject = Literal["scenario", "data_store"]
"""What a param may name of the account (``ModuleSpec.account_objects``): a scenario id, a data store id."""
TriggerEvent = Literal["manual", "webhook", "schedule", "retry", "scenario"]
P = ParamSpec("P")
T = TypeVar("T")


class ScenarioState(Protocol):
    """Small persistent values kept per scenario (counters, polling cursors)."""

    async def get(self, key: str) -> JSON: ...

    async def set(self, key: str, value: JSON) -> None: ...


class Egress(Protocol):
    """Where a module may connect: the one check of outgoing addresses (contract section 9)."""

    async def resolve(self, host: str, port: int) -> str:
        """Resolve ``host`` and return the address to connect to; raise ``ConnectionError``
        when every address it resolves to is refused. Connect to the address returned
        (not to ``host`` again), so that the check cannot be raced by DNS."""
        ...


class OpenEgress:
    """Allows every address: the system resolver, for a module or connection test run
    without the engine (which supplies the real guard)."""

    async def resolve(self, host: str, port: int) -> str:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise ModuleConnectionError(f"{host} could not be resolved: {exc.strerror or exc}") from exc
        return str(infos[0][4][0])


class ScenarioRunner(Protocol):
    """Runs another scenario of the same account (``scenarios.run``)."""

    async def run(self, scenario_id: str, trigger_input: JSON) -> Bundle:
        """Run the scenario to its end; ``{"execution_id", "status", "output"}``, where ``output``
        is the body its run answered (``scenarios.return_output`` or ``webhooks.respond``)."""
        ...


class Responder(Protocol):
    def __call__(self, status: int, body: JSON, headers: Mapping[str, str]) -> None: ...


class RunContext:
    """What a module may use while it runs: never more."""

    __slots__ = (
        "_responder",
        "account_id",
        "auth",
        "bundle_index",
        "clock",
        "connection",
        "data_stores",
        "egress",
        "execution_id",
        "http",
        "log",
        "module",
        "scenario_id",
        "scenarios",
        "state",
        "step_id",
        "trigger_event",
        "trigger_input",
    )

    def __init__(
        self,
        *,
        execution_id: str,
        scenario_id: str,
        account_id: str,
        step_id: str,
        module: str,
        clock: Clock,
        http: httpx.AsyncClient,
        state: ScenarioState,
        log: Any,
        connection: Mapping[str, Any] | None = None,
        trigger_input: JSON = None,
        trigger_event: TriggerEvent = "manual",
        responder: Responder | None = None,
        egress: Egress | None = None,
        auth: httpx.Auth | None = None,
        scenarios: ScenarioRunner | None = None,
        data_stores: DataStores | None = None,
    ) -> None:
        self.execution_id = execution_id
        self.scenario_id = scenario_id
        self.account_id = account_id
        self.step_id = step_id
        self.module = module
        self.bundle_index = 0
        self.clock = clock
        self.http = http
        self.state = state
        self.log = log
        self.connection = connection
        self.trigger_input = trigger_input
        self.trigger_event = trigger_event
        self._responder = responder
        self.egress: Egress = egress or OpenEgress()
        self.auth = auth
        """The ``httpx.Auth`` of the step's connection (``auth=ctx.auth`` on ``ctx.http``): its type's
        ``auth`` factory, or the OAuth 2.0 flow that refreshes tokens; None without a connection."""
        self.scenarios = scenarios
        """Runs another scenario of the account and waits for it; None outside the engine."""
        self.data_stores = data_stores
        """The account's data stores (``scenarist.apps.datastore``); None outside the engine (and the harness)."""

    @property
    def idempotency_key(self) -> str:
        """Stable across re-deliveries of the same operation: (run, step, bundle)."""
        return f"{self.execution_id}:{self.step_id}:{self.bundle_index}"

    def respond(self, status: int, body: JSON, headers: Mapping[str, str] | None = None) -> None:
        """Set the HTTP answer of the webhook call that started this run."""
        if self._responder is not None:
            self._responder(status, body, dict(headers or {}))


RunFn = Callable[[RunContext, Any], Awaitable[Bundle | list[Bundle]]]
AttachFn = Callable[[RunContext, Any, str], Awaitable[JSON]]
DetachFn = Callable[[RunContext, Any, JSON], Awaitable[None]]


@dataclass(frozen=True)
class ModuleSpec:
    """One module of an app, described as data."""

    key: str
    """The module's name inside its app, snake_case; the full key is ``app.key``."""
    label: str
    description: str
    params: type[BaseModel]
    run: RunFn
    kind: ModuleKind = "action"
    connection_types: tuple[str, ...] = ()
    """Connection types this module accepts (full keys, ``app.type``); empty: none."""
    connection_required: bool = False
    polling: bool = False
    raw_body: bool = False
    """A webhook trigger that needs the request's exact bytes (to check a signature over them, as
    GitHub's ``X-Hub-Signature-256`` or Stripe's): its ``ctx.trigger_input`` also holds ``raw_body``,
    the body as received, base64-encoded."""
    attach: AttachFn | None = None
    """A webhook trigger that registers itself with its service: called as
    ``await attach(ctx, params, webhook_url)`` when the scenario is activated; returns what
    ``detach`` needs (JSON, e.g. the service's hook id), kept with the scenario. When it
    raises, the scenario stays inactive. Only a ``trigger`` has it, and never without ``detach``.
    Name ids ``id`` or ``*_id``: when a detach fails, the user is shown those (to remove the hook
    by hand), nothing else of it."""
    detach: DetachFn | None = None
    """Called as ``await detach(ctx, params, attached)`` when the scenario is deactivated or
    deleted, or its trigger's module, params or connection change, with the params and connection
    ``attach`` got. When it raises, Scenarist goes on and notifies the user, showing ``attached``."""

    output: dict[str, Any] | None = None
    """The JSON Schema of one output bundle, where the module declares it (the editor's mapping panel
    shows it until a run shows real output); None: not declared."""
    account_objects: Mapping[str, AccountObject] = field(default_factory=dict, hash=False)
    """Params that name an object of the account, and its kind: ``{"data_store": "data_store"}``,
    ``{"scenario_id": "scenario"}``. A save refuses a step whose param (written without an
    expression) names one the account does not have, at ``params.<name>``."""
    responds: bool = False
    """The module answers the webhook request that started the run (``ctx.respond``): the gateway
    waits for the run of a scenario with such a step, instead of answering 202 at once."""

    def params_schema(self) -> dict[str, Any]:
        return self.params.model_json_schema()


class AggregateInput(BaseModel):
    """What the engine hands an aggregator's ``run``: (value, group key) per collected bundle."""

    items: list[tuple[Any, Any]]
    grouped: bool


def output_schema(**properties: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of an output object with these properties (``{}``: any value)."""
    return {"type": "object", "properties": properties}


@dataclass(frozen=True)
class ConnectionType:
    """How to connect to a service: its fields and which of them are secret."""

    key: str
    label: str
    fields: type[BaseModel]
    secret_fields: tuple[str, ...] = ()
    test: Callable[..., Awaitable[str]] | None = None
    """Called as ``await test(fields, egress=guard)``: connect through the guard, return a
    short message, raise a ModuleError (AuthenticationError for refused credentials)."""
    auth: Callable[[Mapping[str, Any]], httpx.Auth] | None = None
    """Builds the ``httpx.Auth`` that puts the credentials on a request (``ctx.auth``), from the
    connection's fields (secrets decrypted)."""
    oauth2: Callable[[Mapping[str, Any]], OAuth2Endpoints] | None = None
    """Makes this an OAuth 2.0 type: the client and endpoints, from the connection's fields.
    Its tokens are Scenarist's to obtain, refresh and revoke; ``ctx.auth`` sends them."""


@dataclass(frozen=True)
class App:
    """A named set of modules and connection types, found through the
    ``scenarist.apps`` entry point."""

    key: str
    label: str
    description: str = ""
    modules: tuple[ModuleSpec, ...] = ()
    connection_types: tuple[ConnectionType, ...] = field(default=())

    def module(self, key: str) -> ModuleSpec | None:
        return next((m for m in self.modules if m.key == key), None)


async def run_blocking(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking client library call in a worker thread."""
    return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))
