"""Webhook triggers that register themselves: attach on activation, detach on deactivation, edit and delete.

The app's hooks call a stand-in service object; the REST API and a real HTTP
service are exercised in ``tests/server/test_trigger_hooks.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from scenarist.engine import attachments
from scenarist.engine.attachments import ATTACHMENT_KEY, TriggerHookFailed
from scenarist.engine.registry import Registry
from scenarist.engine.service import Engine
from scenarist.sdk import App, ConnectionError, DataError, ModuleSpec, RunContext
from scenarist.store.memory import MemoryStore
from scenarist.types import LOCAL_ACCOUNT, ManualClock
from tests.engine_kit import new_engine

PUBLIC = "https://scenarist.example"


class WatchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    repo: str
    limit: int = 10


class Service:
    """Where the hooks register: hook id to (repo, url); ``down`` refuses every call."""

    def __init__(self) -> None:
        self.hooks: dict[str, tuple[str, str]] = {}
        self.calls: list[str] = []
        self.down: set[str] = set()
        self.slow = 0.0
        self.contexts: list[RunContext] = []

    async def register(self, repo: str, url: str) -> str:
        await self._call("attach")
        hook_id = f"h{len(self.calls)}"
        self.hooks[hook_id] = (repo, url)
        return hook_id

    async def unregister(self, hook_id: str) -> None:
        await self._call("detach")
        del self.hooks[hook_id]

    async def _call(self, verb: str) -> None:
        self.calls.append(verb)
        await asyncio.sleep(self.slow)
        if verb in self.down:
            raise ConnectionError(f"the service is down ({verb})")


def hooked_app(service: Service, connection_types: tuple[str, ...] = ()) -> App:
    async def watch(ctx: RunContext, params: WatchParams) -> dict[str, Any]:
        body = (ctx.trigger_input or {}).get("body") or {}
        if "pusher" not in body:
            raise DataError("not a push")
        return {"repo": params.repo, "pusher": body["pusher"]}

    async def attach(ctx: RunContext, params: WatchParams, webhook_url: str) -> dict[str, Any]:
        service.contexts.append(ctx)
        return {"hook_id": await service.register(params.repo, webhook_url)}

    async def detach(ctx: RunContext, params: WatchParams, attached: dict[str, Any]) -> None:
        service.contexts.append(ctx)
        await service.unregister(attached["hook_id"])

    return App(key="hooky", label="Hooky", modules=(
        ModuleSpec("watch", "Watch pushes", "", WatchParams, watch, kind="trigger", attach=attach, detach=detach,
                   connection_types=connection_types),
    ))


@pytest.fixture
def service() -> Service:
    return Service()


@pytest.fixture
async def engine(service: Service) -> AsyncIterator[Engine]:
    registry = Registry([*Registry.discover().apps.values(), hooked_app(service)])
    eng = new_engine(MemoryStore(), registry, clock=ManualClock(), public_url=PUBLIC)
    yield eng
    await eng.aclose()


def watching(repo: str = "ada/scenarist", **settings: Any) -> dict[str, Any]:
    return {
        "name": "Pushes",
        "trigger": {"id": "push", "module": "hooky.watch", "params": {"repo": repo}},
        "schedule": {"type": "immediately"},
        "settings": settings,
    }


async def activated(engine: Engine, definition: dict[str, Any] | None = None) -> str:
    record = await engine.save_scenario(definition or watching())
    assert await engine.activate(LOCAL_ACCOUNT, record.id) is not None
    return record.id


async def stored(engine: Engine, scenario_id: str) -> Any:
    return await engine.store.get_state(scenario_id, ATTACHMENT_KEY)


# -- registering the app ------------------------------------------------------------------


async def noop_attach(ctx: RunContext, params: Any, url: str) -> None:
    return None


async def noop_detach(ctx: RunContext, params: Any, attached: Any) -> None:
    return None


async def noop_run(ctx: RunContext, params: Any) -> dict[str, Any]:
    return {}


@pytest.mark.parametrize(("attach", "detach", "has", "lacks"), [
    (noop_attach, None, "attach", "detach"), (None, noop_detach, "detach", "attach"),
])
def test_attach_and_detach_come_together(attach: Any, detach: Any, has: str, lacks: str) -> None:
    spec = ModuleSpec("watch", "Watch", "", WatchParams, noop_run, kind="trigger", attach=attach, detach=detach)
    registry = Registry([])
    with pytest.raises(ValueError, match=rf"'half\.watch' has {has} but no {lacks}"):
        registry.add(App(key="half", label="Half", modules=(spec,)))
    assert "half" not in registry.apps


def test_only_a_trigger_attaches() -> None:
    spec = ModuleSpec("send", "Send", "", WatchParams, noop_run, attach=noop_attach, detach=noop_detach)
    with pytest.raises(ValueError, match=r"'odd\.send' is of kind 'action': only a trigger"):
        Registry([App(key="odd", label="Odd", modules=(spec,))])


# -- activation ---------------------------------------------------------------------------


async def test_activation_attaches_the_webhook_url_and_keeps_what_attach_returned(
    engine: Engine, service: Service
) -> None:
    scenario_id = await activated(engine)
    record = await engine.store.get_scenario(LOCAL_ACCOUNT, scenario_id)
    assert record is not None and record.active
    url = engine.webhook_url(record)
    assert url == f"{PUBLIC}/hooks/{record.hook_token}"
    assert service.hooks == {"h1": ("ada/scenarist", url)}
    assert (await stored(engine, scenario_id))["attached"] == {"hook_id": "h1"}


async def test_the_hooks_get_a_run_context_outside_any_run(engine: Engine, service: Service) -> None:
    scenario_id = await activated(engine)
    [ctx] = service.contexts
    assert (ctx.scenario_id, ctx.step_id, ctx.module) == (scenario_id, "push", "hooky.watch")
    assert ctx.execution_id.startswith("attach-")
    assert ctx.trigger_input is None and ctx.connection is None
    await ctx.state.set("push:secret", "s3cret")
    assert await engine.store.get_state(scenario_id, "push:secret") == "s3cret"


async def test_activating_again_attaches_once(engine: Engine, service: Service) -> None:
    scenario_id = await activated(engine)
    await engine.activate(LOCAL_ACCOUNT, scenario_id)
    assert service.calls == ["attach"]


async def test_concurrent_activations_attach_once(engine: Engine, service: Service) -> None:
    record = await engine.save_scenario(watching())
    service.slow = 0.05
    await asyncio.gather(*(engine.activate(LOCAL_ACCOUNT, record.id) for _ in range(3)))
    assert service.calls == ["attach"]


async def test_a_failed_attach_leaves_the_scenario_inactive(engine: Engine, service: Service) -> None:
    record = await engine.save_scenario(watching())
    service.down.add("attach")
    with pytest.raises(TriggerHookFailed) as failed:
        await engine.activate(LOCAL_ACCOUNT, record.id)
    assert str(failed.value) == ("the trigger could not register its webhook with its service: "
                                 "ConnectionError: the service is down (attach)")
    assert failed.value.path == "trigger"
    after = await engine.store.get_scenario(LOCAL_ACCOUNT, record.id)
    assert after is not None and not after.active
    assert await stored(engine, record.id) is None


async def test_params_are_evaluated_without_variables(engine: Engine, service: Service) -> None:
    await activated(engine, watching('{{ "ADA" | lower }}/{{ "scenarist" }}'))
    assert [repo for repo, _ in service.hooks.values()] == ["ada/scenarist"]


async def test_params_that_evaluate_to_a_bad_value_name_the_params(engine: Engine) -> None:
    definition = watching()
    definition["trigger"]["params"]["limit"] = "{{ 'many' }}"
    record = await engine.save_scenario(definition)
    with pytest.raises(TriggerHookFailed, match=r"DataError: params\.limit") as failed:
        await engine.activate(LOCAL_ACCOUNT, record.id)
    assert failed.value.path == "trigger.params"


async def test_a_connection_without_a_connection_store_names_the_connection(service: Service) -> None:
    registry = Registry([*Registry.discover().apps.values(), hooked_app(service, ("hooky.token",))])
    engine = new_engine(MemoryStore(), registry, clock=ManualClock(), public_url=PUBLIC)
    definition = watching()
    definition["trigger"]["connection"] = "c1"
    record = await engine.save_scenario(definition)
    with pytest.raises(TriggerHookFailed, match="no connection store") as failed:
        await engine.activate(LOCAL_ACCOUNT, record.id)
    assert failed.value.path == "trigger.connection"
    await engine.aclose()


async def test_without_a_public_url_there_is_nothing_to_attach(service: Service) -> None:
    registry = Registry([*Registry.discover().apps.values(), hooked_app(service)])
    engine = new_engine(MemoryStore(), registry, clock=ManualClock())
    record = await engine.save_scenario(watching())
    with pytest.raises(TriggerHookFailed, match="no webhook URL"):
        await engine.activate(LOCAL_ACCOUNT, record.id)
    assert service.calls == []
    await engine.aclose()


async def test_an_attach_that_hangs_times_out(engine: Engine, service: Service, monkeypatch: Any) -> None:
    monkeypatch.setattr(attachments, "TIMEOUT_SECONDS", 0.01)
    service.slow = 1
    record = await engine.save_scenario(watching())
    with pytest.raises(TriggerHookFailed, match=r"ModuleTimeoutError: hooky\.watch took longer than"):
        await engine.activate(LOCAL_ACCOUNT, record.id)


async def test_a_trigger_without_hooks_activates_as_before(engine: Engine) -> None:
    record = await engine.save_scenario({"name": "Plain", "trigger": {"id": "hook", "module": "webhooks.custom"}})
    assert await engine.activate(LOCAL_ACCOUNT, record.id) is not None
    assert await stored(engine, record.id) is None


async def test_another_accounts_scenario_is_not_found(engine: Engine, service: Service) -> None:
    record = await engine.save_scenario(watching())
    assert await engine.activate("someone-else", record.id) is None
    assert await engine.deactivate("someone-else", record.id) is None
    assert not await engine.delete_scenario("someone-else", record.id)
    assert service.calls == []


# -- deactivation and deletion -------------------------------------------------------------


async def test_deactivation_detaches_what_was_attached(engine: Engine, service: Service) -> None:
    scenario_id = await activated(engine)
    record = await engine.deactivate(LOCAL_ACCOUNT, scenario_id)
    assert record is not None and not record.active
    assert service.hooks == {}
    assert await stored(engine, scenario_id) is None


async def test_a_failed_detach_deactivates_anyway_and_notifies(engine: Engine, service: Service) -> None:
    scenario_id = await activated(engine)
    service.down.add("detach")
    await engine.deactivate(LOCAL_ACCOUNT, scenario_id)
    record = await engine.store.get_scenario(LOCAL_ACCOUNT, scenario_id)
    assert record is not None and not record.active
    assert await stored(engine, scenario_id) is None
    [note] = await engine.store.list_notifications(LOCAL_ACCOUNT)
    assert note.kind == "trigger_detach_failed"
    assert note.scenario_id == scenario_id
    assert "was deactivated, but its trigger could not unregister the webhook" in note.message
    assert note.data["attached"] == {"hook_id": "h1"}
    assert note.data["error"]["type"] == "ConnectionError"


async def test_deletion_detaches(engine: Engine, service: Service) -> None:
    scenario_id = await activated(engine)
    assert await engine.delete_scenario(LOCAL_ACCOUNT, scenario_id)
    assert service.hooks == {}
    assert await engine.store.get_scenario(LOCAL_ACCOUNT, scenario_id) is None


async def test_a_module_no_longer_installed_is_a_notification(engine: Engine, service: Service) -> None:
    scenario_id = await activated(engine)
    without = new_engine(engine.store, Registry(Registry.discover().apps.values()), public_url=PUBLIC)
    await without.deactivate(LOCAL_ACCOUNT, scenario_id)
    await without.aclose()
    [note] = await engine.store.list_notifications(LOCAL_ACCOUNT)
    assert "hooky.watch is not installed" in note.message
    assert service.hooks != {}


async def test_releasing_an_account_detaches_every_trigger(engine: Engine, service: Service) -> None:
    await activated(engine)
    await activated(engine, watching("ada/other"))
    await engine.release_account(LOCAL_ACCOUNT)
    assert service.hooks == {}


# -- automatic deactivation keeps the hook --------------------------------------------------


async def test_deactivation_after_errors_keeps_the_hook_and_reactivation_reuses_it(
    engine: Engine, service: Service
) -> None:
    scenario_id = await activated(engine, watching(max_consecutive_errors=1))
    record = await engine.store.get_scenario(LOCAL_ACCOUNT, scenario_id)
    assert record is not None
    await engine.run(record, {"body": {}}, trigger_event="webhook")
    after = await engine.store.get_scenario(LOCAL_ACCOUNT, scenario_id)
    assert after is not None and not after.active
    assert list(service.hooks) == ["h1"]
    await engine.activate(LOCAL_ACCOUNT, scenario_id)
    assert service.calls == ["attach"]


# -- edits ------------------------------------------------------------------------------------


async def test_an_edit_that_keeps_the_trigger_keeps_the_hook(engine: Engine, service: Service) -> None:
    scenario_id = await activated(engine)
    renamed = {**watching(), "name": "Renamed"}
    await engine.save_scenario(renamed, scenario_id=scenario_id)
    assert service.calls == ["attach"]
    assert (await stored(engine, scenario_id))["attached"] == {"hook_id": "h1"}


async def test_an_edit_of_the_params_attaches_the_new_then_detaches_the_old(
    engine: Engine, service: Service
) -> None:
    scenario_id = await activated(engine)
    await engine.save_scenario(watching("ada/other"), scenario_id=scenario_id)
    assert service.calls == ["attach", "attach", "detach"]
    assert [repo for repo, _ in service.hooks.values()] == ["ada/other"]
    assert (await stored(engine, scenario_id))["attached"] == {"hook_id": "h2"}


async def test_an_edit_whose_new_trigger_cannot_attach_changes_nothing(engine: Engine, service: Service) -> None:
    scenario_id = await activated(engine)
    service.down.add("attach")
    with pytest.raises(TriggerHookFailed):
        await engine.save_scenario(watching("ada/other"), scenario_id=scenario_id)
    record = await engine.store.get_scenario(LOCAL_ACCOUNT, scenario_id)
    assert record is not None and record.active
    assert record.definition["trigger"]["params"] == {"repo": "ada/scenarist"}
    assert list(service.hooks) == ["h1"]


async def test_an_edit_to_another_trigger_detaches(engine: Engine, service: Service) -> None:
    scenario_id = await activated(engine)
    plain = {**watching(), "trigger": {"id": "hook", "module": "webhooks.custom"}}
    await engine.save_scenario(plain, scenario_id=scenario_id)
    assert service.hooks == {}
    assert await stored(engine, scenario_id) is None


async def test_an_edit_of_an_inactive_scenario_attaches_nothing(engine: Engine, service: Service) -> None:
    record = await engine.save_scenario(watching())
    await engine.save_scenario(watching("ada/other"), scenario_id=record.id)
    assert service.calls == []


async def test_an_edit_of_a_scenario_deactivated_after_errors_detaches_a_changed_trigger(
    engine: Engine, service: Service
) -> None:
    scenario_id = await activated(engine, watching(max_consecutive_errors=1))
    record = await engine.store.get_scenario(LOCAL_ACCOUNT, scenario_id)
    assert record is not None
    await engine.run(record, {"body": {}}, trigger_event="webhook")
    await engine.save_scenario(watching("ada/other", max_consecutive_errors=1), scenario_id=scenario_id)
    assert service.calls == ["attach", "detach"]
    assert service.hooks == {}
