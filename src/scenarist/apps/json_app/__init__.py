"""The JSON app: turn JSON text into data (``json.parse``) and data into text (``json.create``).

``json.parse`` outputs the parsed object itself as the bundle; any other value
(array, string, number, boolean, null) is wrapped as ``{"value": parsed}``.
``json.create`` outputs ``{"json": text}``, compact unless ``pretty`` is set.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scenarist.sdk import App, Bundle, DataError, ModuleSpec, RunContext


class ParseParams(BaseModel):
    """The JSON text to parse."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)

    json_text: str = Field(
        alias="json",
        description="JSON text to parse.",
        examples=['{"id": 42, "tags": ["a", "b"]}'],
    )


class CreateParams(BaseModel):
    """The value to serialize."""

    model_config = ConfigDict(extra="forbid")

    value: Any = Field(
        description="Any JSON value: object, array, string, number, boolean or null.",
        examples=[{"id": 42, "tags": ["a", "b"]}],
    )
    pretty: bool = Field(
        default=False,
        description="Indent the output by two spaces instead of writing it on one line.",
        examples=[False],
    )


async def parse(ctx: RunContext, params: ParseParams) -> Bundle:
    """Parse ``params.json``; an object is the bundle, anything else is ``{"value": ...}``."""
    try:
        value = json.loads(params.json_text)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    return value if isinstance(value, dict) else {"value": value}


async def create(ctx: RunContext, params: CreateParams) -> Bundle:
    """Serialize ``params.value`` to JSON text under the key ``json``."""
    try:
        if params.pretty:
            text = json.dumps(params.value, indent=2, ensure_ascii=False, allow_nan=False)
        else:
            text = json.dumps(
                params.value, separators=(",", ":"), ensure_ascii=False, allow_nan=False
            )
    except (TypeError, ValueError) as exc:
        raise DataError(f"the value cannot be written as JSON: {exc}") from exc
    return {"json": text}


app = App(
    key="json",
    label="JSON",
    description="Parse JSON text into data and write data as JSON text.",
    modules=(
        ModuleSpec(
            key="parse",
            label="Parse JSON",
            description="Turn JSON text into data: an object becomes the bundle, "
            'any other value is output as {"value": ...}.',
            params=ParseParams,
            run=parse,
        ),
        ModuleSpec(
            key="create",
            label="Create JSON",
            description='Write any value as JSON text, output as {"json": text}.',
            params=CreateParams,
            run=create,
        ),
    ),
)

__all__ = ["CreateParams", "ParseParams", "app", "create", "parse"]
