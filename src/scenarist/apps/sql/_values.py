"""Between database values and JSON, out of the database (a row becomes a bundle).

- ``numeric``/``DECIMAL``: a JSON number when it is an integer or a float prints it back
  exactly (``12.50`` -> ``12.5``), else a string that keeps every digit
  (``"0.1000000000000000055"``); NaN and infinities become strings;
- dates, times and timestamps: ISO 8601 text (as the driver gives them, offset included when known);
- durations (PostgreSQL ``interval``, MySQL ``TIME``): as the dialect says (``Durations``);
- bytes: base64 text; ``uuid``, ``inet`` and other objects: their text;
- parsed JSON and arrays: converted element by element; MySQL ``SET``: its members, sorted.

What goes in (statement parameters) is the dialect's business.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from scenarist.sdk import JSON, Bundle

Durations = Callable[[dt.timedelta], JSON]
"""How a dialect writes a duration in JSON."""


def seconds(value: dt.timedelta) -> JSON:
    """A duration as seconds (PostgreSQL ``interval``)."""
    return value.total_seconds()


def json_number(value: Decimal) -> JSON:
    """A decimal as a JSON number when that loses nothing, else as text."""
    if not value.is_finite():
        return str(value)
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else str(value)


def to_json(value: Any, durations: Durations = seconds) -> JSON:
    """One column value, JSON-safe (see the module docstring)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return durations(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): to_json(v, durations) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v, durations) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(str(v) for v in value)
    return str(value)


def row_bundle(record: Mapping[str, Any], durations: Durations = seconds) -> Bundle:
    """A row as a bundle: column name to JSON-safe value."""
    return {name: to_json(value, durations) for name, value in record.items()}


def cursor_value(value: Any, durations: Durations = seconds) -> JSON:
    """A column value as stored in the watch cursor: JSON with its Python type noted."""
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return to_json(value, durations)


def from_cursor(stored: JSON) -> Any:
    """Back from ``cursor_value`` to the Python value the driver compares with."""
    if isinstance(stored, dict) and len(stored) == 1:
        (kind, text), = stored.items()
        if kind == "datetime":
            return dt.datetime.fromisoformat(text)
        if kind == "date":
            return dt.date.fromisoformat(text)
        if kind == "decimal":
            return Decimal(text)
    return stored
