"""Between MySQL values and JSON.

Out (a row becomes a bundle, column names as keys):

- ``DECIMAL``: a JSON number when it is an integer or a float prints it back
  exactly (``12.50`` -> ``12.5``), else a string that keeps every digit;
- ``DATE``, ``DATETIME``, ``TIMESTAMP``: ISO 8601 text (as stored, no offset);
  ``TIME``: ``HH:MM:SS`` text (``-`` in front when negative, ``.ffffff`` when it has a fraction);
- ``BLOB``, ``BINARY``, ``BIT``: base64 text; ``JSON`` columns: their text (MariaDB
  stores JSON as text, so both servers answer alike).

In (``%s`` parameters): the driver escapes each value; objects and lists
become JSON text (compare with ``JSON_CONTAINS(%s, col)`` for an IN-list).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from scenarist.types import JSON, Bundle


def json_number(value: Decimal) -> JSON:
    """A decimal as a JSON number when that loses nothing, else as text."""
    if not value.is_finite():
        return str(value)
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else str(value)


def time_text(value: dt.timedelta) -> str:
    """A ``TIME`` value (the driver's timedelta) as ``[-]HH:MM:SS[.ffffff]``."""
    sign, micros = ("-", -value) if value < dt.timedelta(0) else ("", value)
    total = micros // dt.timedelta(microseconds=1)
    seconds, fraction = divmod(total, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    text = f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{text}.{fraction:06d}" if fraction else text


def to_json(value: Any) -> JSON:
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
        return time_text(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, set | frozenset):
        return sorted(str(v) for v in value)
    return str(value)


def row_bundle(record: Mapping[str, Any]) -> Bundle:
    """A row as a bundle: column name to JSON-safe value."""
    return {name: to_json(value) for name, value in record.items()}


def parameter(value: JSON) -> Any:
    """A JSON value as the driver should escape it."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def cursor_value(value: Any) -> JSON:
    """A column value as stored in the watch cursor: JSON with its Python type noted."""
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return to_json(value)


def from_cursor(stored: JSON) -> Any:
    """Back from ``cursor_value`` to the Python value the driver escapes."""
    if isinstance(stored, dict) and len(stored) == 1:
        (kind, text), = stored.items()
        if kind == "datetime":
            return dt.datetime.fromisoformat(text)
        if kind == "date":
            return dt.date.fromisoformat(text)
        if kind == "decimal":
            return Decimal(text)
    return stored
