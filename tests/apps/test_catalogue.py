"""Every installed module describes its params, so the catalogue and the UI can show them."""

from __future__ import annotations

from typing import Any

import pytest

from scenarist.engine.registry import Registry

CATALOGUE = Registry.discover().catalogue()
MODULES = [module for app in CATALOGUE for module in app["modules"]]
ENGINE_RUN = {"flow.array_aggregator"}
"""Modules whose params the engine evaluates itself (their schema is still described)."""


def _fields(schema: dict[str, Any]) -> dict[str, Any]:
    return dict(schema.get("properties", {}))


@pytest.mark.parametrize("module", MODULES, ids=[m["key"] for m in MODULES])
def test_every_param_has_a_description_and_an_example(module: dict[str, Any]) -> None:
    missing = [
        name for name, field in _fields(module["params"]).items()
        if not field.get("description") or "examples" not in field
    ]
    assert missing == [], f"{module['key']}: params without description or examples: {missing}"


@pytest.mark.parametrize("module", MODULES, ids=[m["key"] for m in MODULES])
def test_every_module_has_a_label_and_a_description(module: dict[str, Any]) -> None:
    assert module["label"] and module["description"]


def test_the_core_apps_are_installed() -> None:
    keys = {app["key"] for app in CATALOGUE}
    assert keys >= {"webhooks", "tools", "flow", "json", "http", "email", "ftp", "postgres", "mysql",
                    "mqtt", "amqp", "redis", "text", "csv", "xml"}
