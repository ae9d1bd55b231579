"""Instant triggers that register their webhook with their service (``ModuleSpec.attach`` and ``detach``).

Activation attaches, deactivation detaches: an app's trigger such as
"watch pushes" tells its service where to send events, ``await attach(ctx, params,
webhook_url)``, and takes that back with ``await detach(ctx, params, attached)``.
Both run outside any run, in a context built here like a run's: the trigger's
connection resolved through the Credentials port (``ctx.connection``,
``ctx.auth``), the guarded ``ctx.http``, the clock, the egress guard, the
scenario's state. The trigger's params are evaluated with no variables, as they
are at run time: validation lets them read no step, so an expression in them is
self-contained (``{{ "main" | upper }}``).

What ``attach`` returned is kept in the scenario's state under
``ATTACHMENT_KEY``, together with the trigger as it was attached (module, step
id, params as written, connection, webhook URL). So it survives restarts and is
deleted with the scenario; ``detach`` gets the params and connection the webhook
was registered with, even after an edit changed them; and an edit that leaves
the trigger as it was keeps the registration. The key starts with ``$``, which
no module's own key does (they name themselves: ``chimes:step1``); the state is
in no API answer nor export.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from pydantic import BaseModel

from scenarist.engine.executor import Services, StoredState, module_error
from scenarist.engine.expressions import ExpressionEngine
from scenarist.engine.registry import Registry
from scenarist.sdk import (
    AuthenticationError,
    InvalidConfigurationError,
    ModuleError,
    ModuleSpec,
    ModuleTimeoutError,
    RunContext,
)
from scenarist.sdk import RuntimeError as ModuleRuntimeError
from scenarist.store.ports import ScenarioRecord
from scenarist.types import JSON, AccountId, new_id

ATTACHMENT_KEY = "$trigger:attachment"
"""The scenario state key of the trigger's registration."""

TIMEOUT_SECONDS = 60.0
"""How long attach or detach may take: the API request that activates the scenario waits for it."""

Verb = Literal["attach", "detach"]


@dataclass(frozen=True)
class Attachment:
    """A trigger whose webhook is registered with its service, as the scenario state keeps it."""

    module: str
    step: str
    params: dict[str, Any]
    """The trigger's params as the definition writes them (expressions unevaluated)."""
    connection: str | None
    webhook_url: str
    attached: JSON = None
    """What ``attach`` returned (the service's hook id, say); ``detach`` gets it back."""

    def fits(self, trigger: Mapping[str, Any], webhook_url: str | None) -> bool:
        """Whether this registration serves ``trigger`` (a definition's) at ``webhook_url`` as it stands."""
        now = (trigger.get("module"), trigger.get("params") or {}, trigger.get("connection"), webhook_url)
        return (self.module, self.params, self.connection, self.webhook_url) == now

    @classmethod
    def of(cls, trigger: Mapping[str, Any], webhook_url: str) -> Attachment:
        return cls(str(trigger["module"]), str(trigger["id"]), dict(trigger.get("params") or {}),
                   trigger.get("connection"), webhook_url)

    @classmethod
    def from_state(cls, value: JSON) -> Attachment | None:
        if not isinstance(value, dict):
            return None
        try:
            return cls(**value)
        except TypeError:  # written by another version: nothing we can detach with
            return None


@dataclass(frozen=True)
class Change:
    """What activating, editing or deactivating a scenario does to its registration."""

    fresh: Attachment | None = None
    """Attached already; kept once the scenario is stored."""
    stale: Attachment | None = None
    """To detach and forget."""


class TriggerHookFailed(Exception):
    """``attach`` or ``detach`` failed; ``error`` says why, ``path`` which part of the trigger to look at."""

    def __init__(self, verb: Verb, error: ModuleError, path: str) -> None:
        doing = "register its webhook with" if verb == "attach" else "unregister its webhook from"
        super().__init__(f"the trigger could not {doing} its service: {error.type}: {error.message}")
        self.verb = verb
        self.error = error
        self.path = path


class TriggerHooks:
    """Attaches and detaches the triggers of scenarios, and keeps what attach returned."""

    def __init__(self, services: Services, registry: Registry, expressions: ExpressionEngine) -> None:
        self._s = services
        self._registry = registry
        self._expressions = expressions

    async def stored(self, scenario_id: str) -> Attachment | None:
        return Attachment.from_state(await self._s.store.get_state(scenario_id, ATTACHMENT_KEY))

    async def prepare(self, record: ScenarioRecord, webhook_url: str | None, *, attach: bool, keep: bool) -> Change:
        """Attach ``record``'s trigger when ``attach`` and it is not attached as it stands (raises
        ``TriggerHookFailed``); name the registration to detach: one that no longer fits, or with
        ``keep=False`` any."""
        current = await self.stored(record.id)
        trigger = record.definition["trigger"]
        fits = current is not None and current.fits(trigger, webhook_url)
        fresh = None
        if attach and not fits and self._attaches(trigger):
            fresh = await self.attach(record, webhook_url)
        stale = current if current is not None and not (keep and fits) else None
        return Change(fresh, stale)

    async def commit(self, record: ScenarioRecord, change: Change) -> ModuleError | None:
        """Keep the fresh registration and detach the stale one; why detaching failed, if it did."""
        if change.fresh is not None:
            await self._s.store.set_state(record.id, ATTACHMENT_KEY, asdict(change.fresh))
        elif change.stale is not None:
            await self._s.store.set_state(record.id, ATTACHMENT_KEY, None)
        if change.stale is None:
            return None
        try:
            await self._call("detach", record, change.stale)
        except TriggerHookFailed as failed:
            return failed.error
        return None

    async def attach(self, record: ScenarioRecord, webhook_url: str | None) -> Attachment:
        """Register ``record``'s trigger at ``webhook_url``; raises ``TriggerHookFailed``."""
        if webhook_url is None:
            missing = InvalidConfigurationError("the scenario has no webhook URL (no public URL is configured)")
            raise TriggerHookFailed("attach", missing, "trigger")
        attachment = Attachment.of(record.definition["trigger"], webhook_url)
        attached = await self._call("attach", record, attachment)
        try:
            attached = json.loads(json.dumps(attached, allow_nan=False))
        except (TypeError, ValueError):
            bug = ModuleRuntimeError(f"{attachment.module}'s attach returned {type(attached).__name__}, not JSON")
            raise TriggerHookFailed("attach", bug, "trigger") from None
        return replace(attachment, attached=attached)

    def _attaches(self, trigger: Mapping[str, Any]) -> bool:
        spec = self._registry.module(str(trigger.get("module")))
        return spec is not None and spec.attach is not None

    async def _call(self, verb: Verb, record: ScenarioRecord, attachment: Attachment) -> JSON:
        spec = self._registry.module(attachment.module)
        if spec is None or spec.attach is None or spec.detach is None:
            error = InvalidConfigurationError(f"{attachment.module} is not installed, or registers no webhook")
            raise TriggerHookFailed(verb, error, "trigger.module")
        params = self._params(verb, spec, attachment)
        ctx = await self._context(verb, record, attachment, spec)
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                if verb == "attach":
                    return await spec.attach(ctx, params, attachment.webhook_url)
                return await spec.detach(ctx, params, attachment.attached)
        except Exception as exc:
            raise TriggerHookFailed(verb, await self._error(record.account_id, attachment, exc), _path(exc)) from None

    def _params(self, verb: Verb, spec: ModuleSpec, attachment: Attachment) -> BaseModel:
        """The params as a run would give them: evaluated with no variables, validated by the module's model."""
        try:
            return spec.params.model_validate(self._expressions.evaluate(attachment.params, {}))
        except Exception as exc:
            raise TriggerHookFailed(verb, module_error(exc, attachment.step), "trigger.params") from None

    async def _context(
        self, verb: Verb, record: ScenarioRecord, attachment: Attachment, spec: ModuleSpec
    ) -> RunContext:
        """A run's context for the trigger step, outside any run (no execution, no trigger input)."""
        s = self._s
        ctx = RunContext(
            execution_id=f"{verb}-{new_id()}", scenario_id=record.id, account_id=record.account_id,
            step_id=attachment.step, module=attachment.module, clock=s.clock, http=s.http,
            state=StoredState(s.store, record.id), log=s.log, egress=s.egress,
            data_stores=s.data_stores(record.account_id) if s.data_stores else None,
        )
        if attachment.connection is not None:
            try:
                await self._connect(ctx, record.account_id, attachment.connection, spec)
            except Exception as exc:
                raise TriggerHookFailed(verb, module_error(exc, attachment.step), "trigger.connection") from None
        return ctx

    async def _connect(self, ctx: RunContext, account_id: AccountId, connection_id: str, spec: ModuleSpec) -> None:
        """``ctx.connection`` and ``ctx.auth``, resolved as a run resolves them."""
        credentials = self._s.credentials
        if credentials is None:
            raise InvalidConfigurationError(f"connection {connection_id!r} cannot be used: no connection store")
        ctx.connection = await credentials.resolve(account_id, connection_id, spec.connection_types)
        ctx.auth = credentials.auth(account_id, connection_id, ctx.connection)

    async def _error(self, account_id: AccountId, attachment: Attachment, exc: Exception) -> ModuleError:
        """The module's failure as a run would report it; refused credentials flag the connection, as in a run."""
        if isinstance(exc, TimeoutError):
            exc = ModuleTimeoutError(f"{attachment.module} took longer than {TIMEOUT_SECONDS:g} s")
        error = module_error(exc, attachment.step)
        if isinstance(error, AuthenticationError) and attachment.connection and self._s.credentials:
            await self._s.credentials.flag(account_id, attachment.connection)
        return error


def _path(exc: Exception) -> str:
    return "trigger.connection" if isinstance(exc, AuthenticationError) else "trigger"
