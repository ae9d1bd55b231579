"""Filters and sorts over a data store's records (``scenarist.sdk.DataStores`` describes the shape).

Semantics, one place for every backend (records are matched here, not in SQL):

- A condition reads the record's value at ``field`` (``key`` is the record's
  key; ``a.b`` reaches into a collection). ``exists`` holds when there is a
  value (not null); ``not_exists`` when there is none.
- ``equal`` holds for a value of the same kind that is equal (1 and 1.0 are,
  1 and true are not); ``greater`` (and the like) for two numbers or two texts
  (dates are texts in one form, so they compare in time order); otherwise false.
- ``contains``: an array holding an equal element, or a text holding the text;
  ``starts_with``/``ends_with``: texts only. ``ignore_case`` folds case for texts.
- ``not_equal`` and ``not_contains`` are the exact negations: a record without
  the field passes them.
- The value is converted to the field's type first (``"10"`` for a number field
  is 10); text operators take it as text.

A sort puts records without the field last, in either direction; records
that tie stay in key order. Values of different kinds order false < true <
numbers < texts < arrays < collections; arrays and collections among
themselves by their JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scenarist.datastores.definition import KEY_FIELD
from scenarist.datastores.records import Unfit, convert
from scenarist.sdk import DataError
from scenarist.sdk._datastores import OPERATORS
from scenarist.store.ports import DataStoreRecord

TEXT_OPERATORS = frozenset({"contains", "not_contains", "starts_with", "ends_with"})
_MISSING: Any = object()
_KINDS = {bool: 0, int: 1, float: 1, str: 2, list: 3, dict: 4}


@dataclass(frozen=True)
class Condition:
    path: tuple[str, ...]
    """``("key",)`` for the record's key, else the field and the keys into it."""
    operator: str
    value: Any
    ignore_case: bool


Groups = list[list[Condition]]


def lookup(key: str, data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path``; ``_MISSING`` when there is none (null counts as none)."""
    if path == (KEY_FIELD,):
        return key
    value: Any = data
    for part in path:
        if not isinstance(value, dict) or value.get(part) is None:
            return _MISSING
        value = value[part]
    return value


def matches(key: str, data: Mapping[str, Any], groups: Groups) -> bool:
    """True when some group has every condition true (no groups: every record)."""
    return not groups or any(all(_holds(c, lookup(key, data, c.path)) for c in group) for group in groups)


def _holds(condition: Condition, value: Any) -> bool:
    operator, wanted, fold = condition.operator, condition.value, condition.ignore_case
    if operator.startswith("not_"):
        return not _holds(Condition(condition.path, operator.removeprefix("not_"), wanted, fold), value)
    if value is _MISSING:
        return False
    if operator in ("exists", "equal"):
        return operator == "exists" or _equal(value, wanted, fold)
    if operator == "contains" and isinstance(value, list):
        return any(_equal(item, wanted, fold) for item in value)
    if operator in TEXT_OPERATORS:
        return isinstance(value, str) and isinstance(wanted, str) and _text_test(operator, value, wanted, fold)
    return _compare(operator, value, wanted, fold)


def _text_test(operator: str, text: str, part: str, fold: bool) -> bool:
    text, part = _fold(text, fold), _fold(part, fold)
    if operator == "contains":
        return part in text
    return text.startswith(part) if operator == "starts_with" else text.endswith(part)


def _fold(text: str, fold: bool) -> str:
    return text.casefold() if fold else text


def _kind(value: Any) -> int:
    return _KINDS.get(type(value), 5)


def _equal(a: Any, b: Any, fold: bool) -> bool:
    if _kind(a) != _kind(b):
        return False
    if isinstance(a, str) and fold:
        return bool(a.casefold() == b.casefold())
    return bool(a == b)


def _compare(operator: str, a: Any, b: Any, fold: bool) -> bool:
    if _kind(a) != _kind(b) or _kind(a) not in (1, 2):
        return False
    if isinstance(a, str) and fold:
        a, b = a.casefold(), b.casefold()
    if operator == "greater":
        return bool(a > b)
    if operator == "greater_or_equal":
        return bool(a >= b)
    if operator == "less":
        return bool(a < b)
    return bool(a <= b)


# -- parsing, against the store's structure


def parse_filter(raw: Any, data_store: DataStoreRecord) -> Groups:
    """The filter's conditions, checked and with their values converted; ``DataError`` naming the path."""
    if not isinstance(raw, list | tuple) or not all(isinstance(group, list | tuple) for group in raw):
        raise DataError("filter: expected a list of OR-groups, each a list of conditions")
    return [[_condition(c, f"filter[{i}][{j}]", data_store) for j, c in enumerate(group)]
            for i, group in enumerate(raw)]


def _condition(raw: Any, where: str, data_store: DataStoreRecord) -> Condition:
    if not isinstance(raw, Mapping):
        raise DataError(f"{where}: expected a condition {{field, operator, value}}")
    unknown = sorted(set(raw) - {"field", "operator", "value", "ignore_case"})
    if unknown:
        raise DataError(f"{where}.{unknown[0]}: not part of a condition (field, operator, value, ignore_case)")
    operator = raw.get("operator")
    if operator not in OPERATORS:
        raise DataError(f"{where}.operator: expected one of {', '.join(OPERATORS)}")
    path, field_type = resolve_field(raw.get("field"), f"{where}.field", data_store)
    ignore_case = raw.get("ignore_case", False)
    if not isinstance(ignore_case, bool):
        raise DataError(f"{where}.ignore_case: expected true or false")
    value = _value(operator, field_type, raw.get("value"), f"{where}.value")
    return Condition(path, operator, value, ignore_case)


def resolve_field(raw: Any, where: str, data_store: DataStoreRecord) -> tuple[tuple[str, ...], str]:
    """``(path, type)`` of ``key`` or a structure field (with keys into a collection); ``DataError`` otherwise."""
    if not isinstance(raw, str) or not raw:
        raise DataError(f"{where}: expected a field name")
    if raw == KEY_FIELD:
        return (KEY_FIELD,), "text"
    path = tuple(raw.split("."))
    types = {spec["name"]: spec["type"] for spec in data_store.structure}
    field_type = types.get(path[0])
    if field_type is None:
        raise DataError(f"{where}: data store {data_store.name!r} has no field {path[0]!r}")
    if len(path) > 1 and field_type not in ("collection", "any"):
        raise DataError(f"{where}: field {path[0]!r} is {field_type}, it has no fields inside")
    return path, field_type if len(path) == 1 else "any"


def _value(operator: str, field_type: str, value: Any, where: str) -> Any:
    if operator in ("exists", "not_exists"):
        return None
    if value is None:
        raise DataError(f"{where}: required for {operator} (use exists or not_exists for a missing value)")
    if operator in TEXT_OPERATORS and field_type in ("array", "any") and operator.endswith("contains"):
        return value
    try:
        return convert("text" if operator in TEXT_OPERATORS else field_type, value)
    except Unfit as exc:
        raise DataError(f"{where}: {exc}") from None


# -- sorting


def sort_key(path: tuple[str, ...]) -> Callable[[tuple[str, Mapping[str, Any]]], tuple[int, Any]]:
    """A key for ``(key, data)`` pairs of present values, by kind then value."""

    def key(item: tuple[str, Mapping[str, Any]]) -> tuple[int, Any]:
        value = lookup(item[0], item[1], path)
        kind = _kind(value)
        return kind, json.dumps(value, sort_keys=True) if kind > 2 else value

    return key


def sorted_records(
    records: list[tuple[str, Mapping[str, Any]]], path: tuple[str, ...], descending: bool
) -> list[tuple[str, Mapping[str, Any]]]:
    """``records`` (in key order) sorted by the value at ``path``, records without it last."""
    present = [r for r in records if lookup(r[0], r[1], path) is not _MISSING]
    absent = [r for r in records if lookup(r[0], r[1], path) is _MISSING]
    return sorted(present, key=sort_key(path), reverse=descending) + absent
