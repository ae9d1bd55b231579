"""``json.parse`` and ``json.create``, run as the engine runs them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from scenarist.apps.json_app import app
from scenarist.sdk import DataError, ModuleSpec


def spec(key: str) -> ModuleSpec:
    found = app.module(key)
    assert found is not None
    return found


PARSE, CREATE = spec("parse"), spec("create")


def test_app_declares_parse_and_create_actions() -> None:
    assert app.key == "json"
    assert [(m.key, m.kind) for m in app.modules] == [("parse", "action"), ("create", "action")]


@pytest.mark.parametrize("module", [PARSE, CREATE], ids=lambda m: m.key)
def test_every_param_has_a_description_and_an_example(module: ModuleSpec) -> None:
    for name, schema in module.params_schema()["properties"].items():
        assert schema.get("description"), name
        assert schema.get("examples"), name


def test_parse_param_is_named_json_in_the_schema() -> None:
    assert PARSE.params_schema()["required"] == ["json"]


async def test_parse_object_is_the_bundle(run_module: Any) -> None:
    out = await run_module(PARSE, {"json": '{"id": 42, "tags": ["a"], "nested": {"ok": true}}'})
    assert out == {"id": 42, "tags": ["a"], "nested": {"ok": True}}


@pytest.mark.parametrize(
    ("text", "value"),
    [("[1, 2]", [1, 2]), ('"hi"', "hi"), ("3.5", 3.5), ("true", True), ("null", None)],
)
async def test_parse_non_object_is_wrapped_in_value(run_module: Any, text: str, value: Any) -> None:
    assert await run_module(PARSE, {"json": text}) == {"value": value}


async def test_parse_invalid_json_is_a_data_error_naming_line_and_column(
    run_module: Any,
) -> None:
    with pytest.raises(DataError, match=r"line 2, column 8"):
        await run_module(PARSE, {"json": '{"a": 1,\n  "b": }'})


async def test_parse_empty_text_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="line 1, column 1"):
        await run_module(PARSE, {"json": ""})


def test_parse_requires_a_string() -> None:
    with pytest.raises(ValidationError):
        PARSE.params.model_validate({"json": {"already": "data"}})


async def test_create_is_compact_by_default(run_module: Any) -> None:
    out = await run_module(CREATE, {"value": {"id": 1, "name": "Žofie", "tags": ["a", "b"]}})
    assert out == {"json": '{"id":1,"name":"Žofie","tags":["a","b"]}'}


async def test_create_pretty_indents(run_module: Any) -> None:
    out = await run_module(CREATE, {"value": {"a": [1]}, "pretty": True})
    assert out == {"json": '{\n  "a": [\n    1\n  ]\n}'}


@pytest.mark.parametrize("value", [None, 0, "text", [1, "x", None], {"a": {"b": []}}])
async def test_create_then_parse_round_trips(run_module: Any, value: Any) -> None:
    created = await run_module(CREATE, {"value": value})
    assert json.loads(created["json"]) == value
    parsed = await run_module(PARSE, {"json": created["json"]})
    assert parsed == (value if isinstance(value, dict) else {"value": value})


def test_create_requires_a_value() -> None:
    with pytest.raises(ValidationError, match="value"):
        CREATE.params.model_validate({"pretty": True})


async def test_create_rejects_not_a_number(run_module: Any) -> None:
    with pytest.raises(DataError, match="cannot be written as JSON"):
        await run_module(CREATE, {"value": float("nan")})


def test_unknown_params_are_rejected() -> None:
    with pytest.raises(ValidationError, match="extra"):
        CREATE.params.model_validate({"value": 1, "indent": 4})
