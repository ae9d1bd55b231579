"""The engine's public API: validate, save and run scenarios, retry and purge.

The composition root (``scenarist.bootstrap``, for the CLI and the server)
builds an ``Engine`` from a store, the app registry and the vault; tests build
one on ``MemoryStore`` or SQLite with a ``ManualClock``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import httpx

from scenarist.engine.attachments import Change, TriggerHooks
from scenarist.engine.credentials import Credentials, connection_problems
from scenarist.engine.executor import ChildBudget, Finish, Run, RunResult, Sealer, Services
from scenarist.engine.expressions import ExpressionEngine
from scenarist.engine.model import Scenario
from scenarist.engine.plan import Plan, compile_plan
from scenarist.engine.registry import Registry
from scenarist.engine.retry import RetryPolicy
from scenarist.engine.validation import Problem, Validation, validate
from scenarist.sdk import ERROR_TYPES, AccountObject, Egress, InvalidConfigurationError, TriggerEvent
from scenarist.store.ports import (
    ExecutionRecord,
    NotificationRecord,
    RetentionWindows,
    ScenarioRecord,
    Store,
)
from scenarist.types import JSON, LOCAL_ACCOUNT, AccountId, Bundle, Clock, RunStatus, SystemClock, new_id

SEALED = "$sealed"
TRIGGER_EVENTS: tuple[TriggerEvent, ...] = ("manual", "webhook", "schedule", "retry", "scenario")


def _trigger_event(value: str) -> TriggerEvent:
    return next((event for event in TRIGGER_EVENTS if event == value), "manual")


class InvalidScenario(Exception):
    """The scenario definition has problems; each names its path."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Engine:
    def __init__(
        self,
        store: Store,
        registry: Registry,
        *,
        http: httpx.AsyncClient,
        egress: Egress,
        owns_http: bool = False,
        clock: Clock | None = None,
        sealer: Sealer | None = None,
        expressions: ExpressionEngine | None = None,
        log: Any = None,
        flush_size: int = 500,
        finish: Finish | None = None,
        credentials: Credentials | None = None,
        data_stores: Callable[[str], Any] | None = None,
        public_url: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        """``http`` is the client modules use and ``egress`` where their own sockets may go
        (``ctx.egress``): the composition root builds both from the same policy (the guarded
        client of ``scenarist.transport``, ``scenarist.egress.EgressGuard``), so that the engine
        imports neither; ``http`` is closed by ``aclose`` when ``owns_http``. ``credentials`` resolves
        steps' connections at run time and checks them at save; ``data_stores`` gives an account's data
        stores (``ctx.data_stores``). Without ``public_url``, scenarios have no webhook URL to register
        (``webhook_url``). ``retry`` decides the automatic retries (default: the contract's).

        What runs need is fixed here (``Services`` is frozen); a step's operation goes through the
        middlewares composed once, here (``scenarist.engine.middleware``)."""
        self.store = store
        self.registry = registry
        self.clock = clock or SystemClock()
        self.expressions = expressions or ExpressionEngine(clock=self.clock)
        self._own_http = owns_http
        self.services = Services(
            store, self.clock, http, sealer, log, flush_size, finish, egress, credentials=credentials,
            subruns=self, data_stores=data_stores, retry=retry or RetryPolicy(),
        )
        self._errors: dict[str, int] = {}
        """Consecutive errors per scenario as last written: a success writes only to reset them."""
        self._plans: dict[tuple[str, datetime], Plan] = {}
        self.public_url = public_url
        self.hooks = TriggerHooks(self.services, registry, self.expressions)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        """One lock per scenario being activated, changed or deleted: its trigger attaches once."""

    async def aclose(self) -> None:
        if self._own_http:
            await self.services.http.aclose()

    # -- scenarios -------------------------------------------------------------

    def validate(self, data: Any) -> Validation:
        return validate(data, self.registry, self.expressions)

    async def check_scenario(self, definition: Any, *, account_id: AccountId = LOCAL_ACCOUNT) -> list[Problem]:
        """Every problem a save of ``definition`` would refuse, nothing stored: the definition's own,
        then (when it parses) its references to the account's scenarios, data stores and connections."""
        checked = self.validate(definition)
        if not checked.ok or checked.scenario is None:
            return list(checked.problems)
        plan = compile_plan(checked.scenario, self.registry, self.expressions)
        problems = await self._reference_problems(plan, account_id)
        if self.services.credentials is not None:
            problems += await connection_problems(plan, self.services.credentials, account_id)
        return problems

    async def save_scenario(
        self,
        definition: Any,
        *,
        account_id: AccountId = LOCAL_ACCOUNT,
        scenario_id: str | None = None,
        active: bool | None = None,
    ) -> ScenarioRecord:
        """Validate and store (insert or replace) a scenario, keeping the definition as its next
        version; raises InvalidScenario.

        With ``credentials``, every step's connection must be one of the account's, of
        a type its module accepts. An active scenario whose trigger registers its webhook and
        changed (module, params, connection) attaches the new trigger first, then detaches the
        old one: when attaching fails (``TriggerHookFailed``) nothing is stored."""
        checked = self.validate(definition)
        if not checked.ok or checked.scenario is None:
            raise InvalidScenario(checked.problems)
        plan = compile_plan(checked.scenario, self.registry, self.expressions)
        problems = await self._reference_problems(plan, account_id)
        if self.services.credentials is not None:
            problems += await connection_problems(plan, self.services.credentials, account_id)
        if problems:
            raise InvalidScenario(problems)
        now = self.clock.now()
        existing = await self.store.get_scenario(account_id, scenario_id) if scenario_id else None
        record = ScenarioRecord(
            id=scenario_id or new_id(),
            account_id=account_id,
            name=checked.scenario.name,
            definition=checked.scenario.model_dump(mode="json", exclude_none=True),
            active=existing.active if active is None and existing else bool(active),
            created_at=existing.created_at if existing else now,
            updated_at=now,
            consecutive_errors=existing.consecutive_errors if existing else 0,
            hook_token=self._hook_token(checked.scenario, existing),
        )
        async with self._lock(record.id):
            change = await self.hooks.prepare(record, self.webhook_url(record), attach=record.active, keep=True)
            await self.store.put_scenario(record)
            await self.store.add_scenario_version(record)
            await self._settle(record, change, "changed")
        return record

    async def _reference_problems(self, plan: Plan, account_id: AccountId) -> list[Problem]:
        """Steps naming (without an expression) an object the account does not have: the params its
        module declares in ``account_objects`` (a scenario, a data store)."""
        lookups: dict[AccountObject, tuple[str, Callable[[AccountId, str], Awaitable[object | None]]]] = {
            "scenario": ("scenario", self.store.get_scenario),
            "data_store": ("data store", self.store.get_data_store),
        }
        problems = []
        for node in plan.steps.values():
            for param, kind in node.spec.account_objects.items():
                label, exists = lookups[kind]
                target = node.raw_params.get(param)
                if isinstance(target, str) and "{{" not in target and await exists(account_id, target) is None:
                    problems.append(Problem(f"{node.path}.params.{param}", f"{label} {target!r} not found"))
        return problems

    def _hook_token(self, scenario: Scenario, existing: ScenarioRecord | None) -> str | None:
        """A webhook address for instant triggers: kept across edits, ≥128 bits when new."""
        spec = self.registry.module(scenario.trigger.module)
        if spec is None or spec.kind != "trigger":
            return None
        if existing is not None and existing.hook_token:
            return existing.hook_token
        return secrets.token_urlsafe(24)

    def plan_for(self, scenario: ScenarioRecord) -> Plan:
        key = (scenario.id, scenario.updated_at)
        plan = self._plans.get(key)
        if plan is None:
            checked = self.validate(scenario.definition)
            if not checked.ok or checked.scenario is None:
                raise InvalidScenario(checked.problems)
            plan = compile_plan(checked.scenario, self.registry, self.expressions)
            self._plans = {k: v for k, v in self._plans.items() if k[0] != scenario.id}
            self._plans[key] = plan
        return plan

    # -- activation: triggers that register their webhook with their service -----

    def webhook_url(self, scenario: ScenarioRecord) -> str | None:
        """``{public_url}/hooks/{token}`` (contract section 6; the server passes ``SCENARIST_HOOKS_URL``
        as ``public_url`` when it is set), for a scenario with an instant trigger."""
        if scenario.hook_token is None or self.public_url is None:
            return None
        return f"{self.public_url.rstrip('/')}/hooks/{scenario.hook_token}"

    async def activate(self, account_id: AccountId, scenario_id: str) -> ScenarioRecord | None:
        """Attach the trigger (when it registers its webhook and is not attached as it stands), then
        mark the scenario active. When attaching fails (``TriggerHookFailed``) it stays inactive.
        None: the account has no such scenario."""
        async with self._lock(scenario_id):
            record = await self.store.get_scenario(account_id, scenario_id)
            if record is None:
                return None
            change = await self.hooks.prepare(record, self.webhook_url(record), attach=True, keep=True)
            await self.store.set_scenario_active(account_id, scenario_id, True)
            await self._settle(record, change, "activated")
            return replace(record, active=True)

    async def deactivate(self, account_id: AccountId, scenario_id: str) -> ScenarioRecord | None:
        """Mark the scenario inactive, then detach its trigger; a failed detach raises a notification."""
        async with self._lock(scenario_id):
            record = await self.store.get_scenario(account_id, scenario_id)
            if record is None:
                return None
            await self.store.set_scenario_active(account_id, scenario_id, False)
            await self._release(record, "deactivated")
            return replace(record, active=False)

    async def delete_scenario(self, account_id: AccountId, scenario_id: str) -> bool:
        """Detach the trigger, then delete the scenario and everything of it; a failed detach deletes
        anyway and raises a notification. False: the account has no such scenario."""
        async with self._lock(scenario_id):
            record = await self.store.get_scenario(account_id, scenario_id)
            if record is None:
                return False
            await self._release(record, "deleted")
            return await self.store.delete_scenario(account_id, scenario_id)

    async def release_account(self, account_id: AccountId) -> None:
        """Detach every trigger of the account, before the account is erased."""
        for record in await self.store.list_scenarios(account_id):
            async with self._lock(record.id):
                await self._release(record, "deleted")

    async def _release(self, record: ScenarioRecord, what: str) -> None:
        await self._settle(record, await self.hooks.prepare(record, None, attach=False, keep=False), what)

    async def _settle(self, record: ScenarioRecord, change: Change, what: str) -> None:
        """Keep what was attached, detach what is stale; a failed detach is the user's to clean up.

        A scenario that the engine deactivates after too many errors keeps its registration (as
        Make does): the service's requests queue meanwhile and run once it is activated again."""
        error = await self.hooks.commit(record, change)
        if error is None or change.stale is None:
            return
        stale = change.stale
        await self._notify(record, "trigger_detach_failed",
                           f"Scenario {record.name!r} was {what}, but its trigger could not unregister the webhook "
                           f"{stale.webhook_url} from its service ({error.type}: {error.message}). "
                           "Remove it there by hand.",
                           {"module": stale.module, "webhook_url": stale.webhook_url,
                            "attached": _identifiers(stale.attached), "error": error.to_dict()})

    def _lock(self, scenario_id: str) -> asyncio.Lock:
        lock = self._locks.get(scenario_id)
        if lock is None:
            lock = self._locks[scenario_id] = asyncio.Lock()
        return lock

    # -- runs ------------------------------------------------------------------

    async def run(
        self,
        scenario: ScenarioRecord,
        trigger_input: JSON = None,
        *,
        trigger_event: TriggerEvent = "manual",
        responder: Any = None,
    ) -> RunResult:
        """Record a new execution of ``scenario`` and run it to its end."""
        plan = self.plan_for(scenario)
        execution = await self._start(scenario, plan)
        run = Run(
            self.services, plan, scenario, execution,
            trigger_input=trigger_input, trigger_event=trigger_event, responder=responder,
        )
        result = await run.execute()
        await self._after(scenario, plan, result)
        return result

    async def run_child(self, account_id: AccountId, scenario_id: str, trigger_input: JSON, depth: int,
                        budget: ChildBudget) -> Bundle:
        """``scenarios.run``: run a scenario of ``account_id`` inline, as its own recorded execution,
        and return ``{"execution_id", "status", "output"}``. A child that ends ``error`` or
        ``incomplete`` fails the calling step with the child's error type; one cut short with
        its caller (the caller's timeout) is stored ``cancelled``, never left ``running``."""
        scenario = await self.store.get_scenario(account_id, scenario_id)
        if scenario is None:
            raise InvalidConfigurationError(f"scenario {scenario_id!r} not found")
        try:
            plan = self.plan_for(scenario)
        except InvalidScenario as exc:
            raise InvalidConfigurationError(f"scenario {scenario_id!r} is not valid: {exc}") from None
        execution = await self._start(scenario, plan, "scenario")
        run = Run(self.services, plan, scenario, execution, trigger_input=trigger_input,
                  trigger_event="scenario", depth=depth, budget=budget)
        try:
            result = await run.execute()
        except asyncio.CancelledError:
            await asyncio.shield(run.cancelled("the calling run was cut short"))
            raise
        await self._after(scenario, plan, result)
        done = result.execution
        if done.status in (RunStatus.ERROR, RunStatus.INCOMPLETE):
            error = done.error or {}
            kind = ERROR_TYPES.get(str(error.get("type")), ERROR_TYPES["RuntimeError"])
            raise kind(f"sub-scenario {scenario.name!r} (execution {done.id}) ended {done.status.value}: "
                       f"{error.get('message', 'no message')}")
        output = result.response["body"] if result.response is not None else None
        return {"execution_id": done.id, "status": done.status.value, "output": output}

    async def execute(
        self, scenario: ScenarioRecord, execution: ExecutionRecord, *, responder: Any = None
    ) -> RunResult:
        """Run an execution that was stored ``queued`` (by the gateway, a schedule, a manual run)."""
        plan = self.plan_for(scenario)
        confidential = plan.settings.confidential
        running = replace(
            execution, status=RunStatus.RUNNING, started_at=self.clock.now(), confidential=confidential,
            trigger_input=None if confidential else execution.trigger_input,
        )
        run = Run(
            self.services, plan, scenario, running,
            trigger_input=self.unseal_input(execution.trigger_input),
            trigger_event=_trigger_event(execution.trigger_event), responder=responder,
        )
        result = await run.execute()
        await self._after(scenario, plan, result)
        return result

    def seal_input(self, scenario: ScenarioRecord, value: JSON) -> JSON:
        """The trigger input as it may be stored: sealed by the vault for a confidential scenario."""
        if not self.plan_for(scenario).settings.confidential or self.services.sealer is None:
            return value
        raw = json.dumps(value, separators=(",", ":")).encode()
        return {SEALED: base64.b64encode(self.services.sealer.seal(raw, b"trigger-input")).decode()}

    def unseal_input(self, value: JSON) -> JSON:
        if isinstance(value, dict) and set(value) == {SEALED} and self.services.sealer is not None:
            raw = self.services.sealer.open(base64.b64decode(value[SEALED]), b"trigger-input")
            return json.loads(raw)
        return value

    async def retry_incomplete(self, account_id: AccountId, incomplete_id: str) -> RunResult | None:
        """Resume an incomplete execution at its failed step with its stored state."""
        record = await self.store.get_incomplete(account_id, incomplete_id)
        if record is None:
            return None
        scenario = await self.store.get_scenario(account_id, record.scenario_id)
        if scenario is None:
            await self.store.delete_incomplete(account_id, incomplete_id)
            return None
        plan = self.plan_for(scenario)
        execution = await self._start(scenario, plan, "retry", retry_of=incomplete_id)
        run = Run(self.services, plan, scenario, execution, trigger_event="retry", resume=record)
        result = await run.execute()
        if run.resume is not None:  # not stored again
            await self._settle_incomplete(account_id, incomplete_id, result)
        await self._after(scenario, plan, result)
        return result

    async def _settle_incomplete(self, account_id: AccountId, incomplete_id: str, result: RunResult) -> None:
        """A retry that went through resolves the incomplete execution: it is deleted and the
        execution(s) it stood for read ``success`` with ``resolved_by``; one that ended otherwise
        without storing it again (its step is gone, a ``rollback``) only deletes it."""
        if result.execution.status in (RunStatus.SUCCESS, RunStatus.WARNING):
            await self.store.resolve_incomplete(account_id, incomplete_id, result.execution.id)
        else:
            await self.store.delete_incomplete(account_id, incomplete_id)

    async def retry_due(self, limit: int = 100) -> list[RunResult]:
        """Retry every incomplete execution whose automatic retry is due."""
        results = []
        for record in await self.store.due_incomplete(self.clock.now(), limit):
            result = await self.retry_incomplete(record.account_id, record.id)
            if result is not None:
                results.append(result)
        return results

    async def delete_incomplete(self, account_id: AccountId, incomplete_id: str) -> bool:
        return await self.store.delete_incomplete(account_id, incomplete_id)

    async def purge(self, as_of: datetime, windows: RetentionWindows) -> dict[str, int]:
        return await self.store.purge(as_of, windows)

    async def _start(self, scenario: ScenarioRecord, plan: Plan, trigger_event: TriggerEvent = "manual",
                     retry_of: str | None = None) -> ExecutionRecord:
        now = self.clock.now()
        execution = ExecutionRecord(
            id=new_id(),
            account_id=scenario.account_id,
            scenario_id=scenario.id,
            status=RunStatus.RUNNING,
            created_at=now,
            started_at=now,
            confidential=plan.settings.confidential,
            trigger_event=trigger_event,
            retry_of=retry_of,
        )
        await self.store.create_execution(execution)
        return execution

    async def _after(self, scenario: ScenarioRecord, plan: Plan, result: RunResult) -> None:
        status = result.execution.status
        for record in result.incomplete:
            await self._notify(scenario, "incomplete_execution",
                               f"Scenario {scenario.name!r} stored an incomplete execution at step {record.step!r}.",
                               {"incomplete_id": record.id, "execution_id": record.execution_id})
        if status == RunStatus.INCOMPLETE:
            return
        failed = status == RunStatus.ERROR
        known = self._errors.get(scenario.id, scenario.consecutive_errors)
        if not failed and known == 0:
            return
        errors = await self.store.record_run_outcome(scenario.account_id, scenario.id, failed=failed)
        self._errors[scenario.id] = errors
        if status == RunStatus.ERROR and errors >= plan.settings.max_consecutive_errors:
            await self.store.set_scenario_active(scenario.account_id, scenario.id, False)
            await self._notify(scenario, "scenario_deactivated",
                               f"Scenario {scenario.name!r} was deactivated after {errors} runs in a row "
                               "ended in error.", {"consecutive_errors": errors})

    async def _notify(self, scenario: ScenarioRecord, kind: str, message: str, data: dict[str, Any]) -> None:
        await self.store.add_notification(NotificationRecord(
            id=new_id(), account_id=scenario.account_id, kind=kind, message=message,
            created_at=self.clock.now(), scenario_id=scenario.id, data=data,
        ))


def _identifiers(attached: JSON) -> dict[str, str | int]:
    """What of an attachment the user may see (to remove the hook by hand): its ids only, the values
    under ``id`` or ``*_id`` keys. The rest (a signing secret, say) stays in the scenario state."""
    if not isinstance(attached, dict):
        return {}
    return {key: value for key, value in attached.items()
            if (key == "id" or key.endswith("_id")) and isinstance(value, str | int) and not isinstance(value, bool)}
