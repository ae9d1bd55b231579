"""A record against its store's structure: every field known, typed, the required ones there.

Values are converted to their field's type where nothing is lost, as Make maps
them: the text ``"42"`` into a number field is 42, ``"true"`` into a boolean
field is true, a number into a text field is its JSON text. A date is ISO
8601 text, kept in one form (UTC, milliseconds, ``Z``) so that dates compare
and sort as text. A null value means "no value": the field is left out.
Problems name their path: ``data.amount: expected a number``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from scenarist.datastores.definition import FIELD_NAME, Problem
from scenarist.sdk import DataError
from scenarist.store.ports import DATA_KEY_MAX_LENGTH

_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_IDENTIFIER = re.compile(FIELD_NAME)


class Unfit(ValueError):
    """A value that its field's type cannot take; the message says what was expected."""


class RecordInvalid(DataError):
    """The record does not fit the data store's structure."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems[:5]))
        self.path = problems[0].path
        """Where the first problem is (``data.amount``, ``key``)."""


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float) and not (isinstance(value, float) and not math.isfinite(value)):
        return json.dumps(value)
    raise Unfit("expected text")


def _number(value: Any) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number: int | float = value
    elif isinstance(value, str) and (match := _NUMBER.fullmatch(value.strip())):
        try:
            number = float(match[0]) if match[2] or match[3] else int(match[0])
        except ValueError:  # digits past int's conversion limit
            raise Unfit("expected a number") from None
    else:
        raise Unfit("expected a number")
    if isinstance(number, float) and not math.isfinite(number):
        raise Unfit("expected a finite number")
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise Unfit("expected true or false")


def _date(value: Any) -> str:
    """ISO 8601 text as ``2024-03-05T14:30:00.000Z``; a time without an offset is UTC."""
    try:
        when = datetime.fromisoformat(value.strip()) if isinstance(value, str) else None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        if when is not None:
            return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    except (ValueError, OverflowError):
        pass
    raise Unfit("expected a date (ISO 8601, such as 2024-03-05T14:30:00Z)")


def _array(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    raise Unfit("expected an array")


def _collection(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise Unfit("expected a collection (an object)")


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _text, "number": _number, "boolean": _boolean, "date": _date, "array": _array,
    "collection": _collection, "any": lambda value: value,
}
"""Per field type: the value converted to it, or ``Unfit``."""


def convert(field_type: str, value: Any) -> Any:
    return CONVERTERS[field_type](value)


def field_path(name: str, root: str = "data") -> str:
    """``data.amount``; ``data["odd name"]`` for a name that is not an identifier."""
    return f"{root}.{name}" if _IDENTIFIER.fullmatch(name) else f"{root}[{json.dumps(name)}]"


def checked_record(structure: list[dict[str, Any]], data: Mapping[str, Any], store_name: str) -> dict[str, Any]:
    """``data`` converted to the structure's types, nulls left out; ``RecordInvalid`` naming every problem's path."""
    fields = {spec["name"]: spec for spec in structure}
    problems: list[Problem] = []
    record: dict[str, Any] = {}
    for name, value in data.items():
        spec = fields.get(name)
        if spec is None:
            problems.append(Problem(field_path(name), f"not a field of data store {store_name!r}"))
        elif value is not None:
            try:
                record[name] = convert(spec["type"], value)
            except Unfit as exc:
                problems.append(Problem(field_path(name), str(exc)))
    failed = {p.path for p in problems}
    for spec in structure:
        path = field_path(spec["name"])
        if spec.get("required") and spec["name"] not in record and path not in failed:
            problems.append(Problem(path, "required"))
    if problems:
        raise RecordInvalid(problems)
    return record


def key_problem(key: Any) -> str | None:
    """Why ``key`` cannot be a record's key; None when it can."""
    if not isinstance(key, str):
        return "expected text"
    if not 0 < len(key) <= DATA_KEY_MAX_LENGTH:
        return f"a key has 1 to {DATA_KEY_MAX_LENGTH} characters"
    if "\x00" in key or not _encodable(key):
        return "a key is text without NUL characters or lone surrogates"
    return None


def check_key(key: Any) -> str:
    """``key``, or ``RecordInvalid`` with the path ``key``."""
    problem = key_problem(key)
    if problem is not None:
        raise RecordInvalid([Problem("key", problem)])
    return str(key)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
