"""What a module declares on its ``ModuleSpec`` is all the engine knows of it: no app is named.

``account_objects``: the params that name an object of the account, checked at save.
``responds``: a step of the module answers the webhook that started the run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import BaseModel

from scenarist.engine.plan import compile_plan
from scenarist.engine.registry import Registry
from scenarist.engine.service import Engine, InvalidScenario
from scenarist.sdk import App, ModuleSpec, RunContext
from scenarist.store.memory import MemoryStore
from tests.engine.conftest import scenario, step
from tests.engine_kit import new_engine


class LinkParams(BaseModel):
    target: str = ""
    store: str = ""


async def link(ctx: RunContext, params: LinkParams) -> dict[str, Any]:
    return {}


class ByNameParams(BaseModel):
    """The params the engine once looked up by the app's name."""

    scenario_id: str = ""
    data_store: str = ""


async def by_name(ctx: RunContext, params: ByNameParams) -> dict[str, Any]:
    return {}


class NoParams(BaseModel):
    pass


async def trigger(ctx: RunContext, params: NoParams) -> dict[str, Any]:
    return {}


LINKS = App(
    key="links",
    label="Links",
    modules=(
        ModuleSpec("declared", "Declared", "Names a scenario and a data store.", LinkParams, link,
                   account_objects={"target": "scenario", "store": "data_store"}),
        ModuleSpec("undeclared", "Undeclared", "The same params, nothing declared.", LinkParams, link),
        ModuleSpec("answers", "Answers", "Answers the webhook.", LinkParams, link, responds=True),
        ModuleSpec("hook", "Hook", "A trigger.", NoParams, trigger, kind="trigger"),
    ),
)
# Apps that take the keys the engine used to know by name, declaring nothing.
IMPOSTORS = (
    App(key="scenarios", label="Scenarios", modules=(
        ModuleSpec("run", "Run", "Declares nothing.", ByNameParams, by_name),)),
    App(key="datastore", label="Data store", modules=(
        ModuleSpec("get_record", "Get", "Declares nothing.", ByNameParams, by_name),)),
    App(key="webhooks", label="Webhooks", modules=(
        ModuleSpec("custom", "Hook", "A trigger.", NoParams, trigger, kind="trigger"),
        ModuleSpec("respond", "Respond", "Declares nothing.", LinkParams, link),)),
)


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    eng = new_engine(MemoryStore(), Registry([LINKS, *IMPOSTORS]))
    yield eng
    await eng.aclose()


def _flow(module: str, **params: Any) -> dict[str, Any]:
    return scenario(step("s", module, **params), trigger={"id": "hook", "module": "links.hook"})


async def test_a_declared_param_naming_no_object_of_the_account_is_refused_at_its_path(engine: Engine) -> None:
    problems = await engine.check_scenario(_flow("links.declared", target="nope", store="gone"))
    assert [(p.path, p.message) for p in problems] == [
        ("flow[0].params.target", "scenario 'nope' not found"),
        ("flow[0].params.store", "data store 'gone' not found"),
    ]
    with pytest.raises(InvalidScenario, match="scenario 'nope' not found"):
        await engine.save_scenario(_flow("links.declared", target="nope"))


async def test_a_declared_param_naming_an_object_of_the_account_passes(engine: Engine) -> None:
    called = await engine.save_scenario(_flow("links.undeclared"))
    assert await engine.check_scenario(_flow("links.declared", target=called.id)) == []


async def test_a_declared_param_given_by_an_expression_is_checked_at_run_time_not_at_save(engine: Engine) -> None:
    assert await engine.check_scenario(_flow("links.declared", target="{{ hook.id }}")) == []


async def test_params_a_module_does_not_declare_are_not_looked_up(engine: Engine) -> None:
    assert await engine.check_scenario(_flow("links.undeclared", target="nope", store="gone")) == []


async def test_the_names_the_engine_once_knew_mean_nothing_without_the_declaration(engine: Engine) -> None:
    assert await engine.check_scenario(_flow("scenarios.run", scenario_id="nope")) == []
    assert await engine.check_scenario(_flow("datastore.get_record", data_store="gone")) == []


def _plan(engine: Engine, definition: dict[str, Any]) -> Any:
    checked = engine.validate(definition)
    assert checked.scenario is not None, checked.problems
    return compile_plan(checked.scenario, engine.registry, engine.expressions)


def test_a_scenario_answers_its_webhook_when_a_step_declares_it_responds(engine: Engine) -> None:
    assert _plan(engine, _flow("links.answers")).responds
    assert not _plan(engine, _flow("links.undeclared")).responds
    assert not _plan(engine, _flow("webhooks.respond")).responds


def test_the_built_in_apps_declare_what_the_engine_used_to_know_by_name() -> None:
    registry = Registry.discover()
    run = registry.module("scenarios.run")
    respond = registry.module("webhooks.respond")
    assert run is not None and run.account_objects == {"scenario_id": "scenario"}
    assert respond is not None and respond.responds
    datastore = registry.apps["datastore"]
    assert all(m.account_objects == {"data_store": "data_store"} for m in datastore.modules)
    others = [m for app in registry.apps.values() if app.key not in {"scenarios", "datastore"} for m in app.modules]
    assert not any(m.account_objects for m in others)
    assert [f"{a.key}.{m.key}" for a in registry.apps.values() for m in a.modules if m.responds] == ["webhooks.respond"]


def test_a_declaration_must_name_a_param_of_the_module_and_a_known_kind() -> None:
    missing = App(key="bad", label="Bad", modules=(
        ModuleSpec("m", "M", "", LinkParams, link, account_objects={"nowhere": "scenario"}),))
    with pytest.raises(ValueError, match="'nowhere', which its params lack"):
        Registry([missing])
    unknown = App(key="bad", label="Bad", modules=(
        ModuleSpec("m", "M", "", LinkParams, link, account_objects={"target": "invoice"}),))  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="'target' as a 'invoice', not one of scenario, data_store"):
        Registry([unknown])
