"""Problems of a scenario definition, in the words of the scenario format.

A :class:`Problem` is a path (``flow[2].params.url``) and a message. Shape
errors come from pydantic; :func:`pydantic_problems` words each of those a
user can meet (a missing or unknown field, a wrong type, an unknown schedule
type or directive, a bad id or module key, a number out of range) as a plain
sentence, never pydantic's own ("Input tag 'daily' found using 'type'...").
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from scenarist.engine.model import MODULE_KEY, STEP_ID, TAGS, format_path

__all__ = ["Problem", "pydantic_problems", "word"]

FIELDS = frozenset({
    "name", "description", "trigger", "schedule", "flow", "settings", "ui", "id", "module", "params", "connection",
    "filter", "on_error", "router", "label", "fallback", "condition", "conditions", "a", "o", "b", "if_else",
    "else", "directive", "output", "type", "minutes", "expression", "timezone", "confidential",
    "store_incomplete", "sequential", "max_consecutive_errors", "max_cycles", "timeout_seconds",
    "respond_on_error",
})  # fmt: skip
"""Every field name of the scenario format, for "did you mean" hints."""

_KINDS = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "dict_type": "an object",
    "model_type": "an object", "model_attributes_type": "an object", "list_type": "a list",
    "none_required": "null",
}  # fmt: skip
_BOUNDS = {
    "greater_than": "greater than {gt}", "greater_than_equal": "at least {ge}", "less_than": "less than {lt}",
    "less_than_equal": "at most {le}", "string_too_long": "at most {max_length} characters long",
    "too_long": "at most {max_length} items long",
}  # fmt: skip
_ITEMS = {"router": "route", "if_else": "branch", "conditions": "group of conditions"}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def pydantic_problems(exc: ValidationError, prefix: str = "") -> list[Problem]:
    """Each of pydantic's errors as a problem at its scenario path (under ``prefix``)."""
    problems = []
    for err in exc.errors(include_url=False):
        path, message = word(err)
        full = f"{prefix}.{path}" if prefix and path and not path.startswith("[") else prefix + path
        problems.append(Problem(full, message))
    return problems


def word(err: Mapping[str, Any]) -> tuple[str, str]:
    """The path and the plain message of one pydantic error."""
    loc = tuple(err["loc"])
    path = format_path(loc)
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    field = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _union_tag(path, kind, value, ctx)
    if kind == "extra_forbidden":
        return path, _unknown_field(field)
    if kind == "missing":
        return path, "required"
    if kind == "string_pattern_mismatch":
        return path, _pattern(ctx.get("pattern"), value)
    if kind == "literal_error":
        return path, f"unknown {field.replace('_', ' ')} {_shown(value)}; expected one of {_expected(ctx)}"
    if kind == "model_type" and len(loc) >= 2 and loc[-1] in TAGS and isinstance(loc[-2], int):
        return path, f"expected a step, a router or an if-else block (an object), not {_describe(value)}"
    if kind in _KINDS:
        return path, f"expected {_KINDS[kind]}, not {_describe(value)}"
    if kind in _BOUNDS:
        bounds = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in ctx.items()}
        return path, "must be " + _BOUNDS[kind].format(**bounds)
    if kind == "string_too_short":
        return path, "must not be empty" if ctx.get("min_length") == 1 else f"at least {ctx['min_length']} characters"
    if kind == "too_short":
        item = _ITEMS.get(field, "item")
        return path, f"needs at least {ctx.get('min_length', 1)} {item}"
    if kind == "value_error":
        return path, str(err["msg"]).removeprefix("Value error, ")
    return path, str(err["msg"])


def _union_tag(path: str, kind: str, value: Any, ctx: Mapping[str, Any]) -> tuple[str, str]:
    tag = str(ctx.get("discriminator", "")).strip("'")
    expected = ", ".join(t.strip().strip("'") for t in str(ctx.get("expected_tags", "")).split(","))
    if tag == "type" and path.endswith("schedule"):
        where = f"{path}.type"
        if kind == "union_tag_not_found":
            return where, f"required: the schedule type, one of {expected or 'immediately, interval, cron, on_demand'}"
        return where, f"unknown schedule type {_shown(ctx.get('tag'))}; expected one of {expected}"
    where = f"{path}.{tag}" if tag else path
    return where, f"unknown {tag or 'kind'} {_shown(ctx.get('tag'))}; expected one of {expected}"


def _unknown_field(field: str) -> str:
    close = difflib.get_close_matches(field, FIELDS, n=1, cutoff=0.75)
    return f"unknown field {field!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


def _pattern(pattern: Any, value: Any) -> str:
    if pattern == STEP_ID:
        return f"{_shown(value)} is not a valid id: lower-case letters, digits and _, starting with a letter"
    if pattern == MODULE_KEY:
        return f"{_shown(value)} is not a module key: app.module, such as http.request"
    return f"{_shown(value)} does not match the pattern {pattern}"


def _expected(ctx: Mapping[str, Any]) -> str:
    text = str(ctx.get("expected", ""))
    return text.replace("'", "").replace(" or ", ", ")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"text {_shown(value)}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
