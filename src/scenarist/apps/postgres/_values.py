"""Between PostgreSQL values and JSON.

Out (a row becomes a bundle, column names as keys):

- ``numeric``: a JSON number when it is an integer or a float prints it back
  exactly (``12.50`` -> ``12.5``), else a string that keeps every digit
  (``"0.1000000000000000055"``); NaN and infinities become strings;
- dates, times and timestamps: ISO 8601 text (timestamps with time zone keep their offset);
- ``interval``: seconds, as a number;
- ``bytea``: base64 text; ``uuid``, ``inet`` and other objects: their text;
- ``json``/``jsonb``: the parsed value; arrays: lists, converted element by element.

In (statement parameters, ``$1``, ``$2``...): asyncpg wants the Python type of
each parameter, so JSON values are converted to the type the server inferred
(``"2024-03-05"`` for a ``date``, ``"42"`` for an ``int4``...). A value that
does not fit is a ``DataError`` naming the parameter.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from scenarist.sdk import DataError
from scenarist.types import JSON, Bundle


def json_number(value: Decimal) -> JSON:
    """A decimal as a JSON number when that loses nothing, else as text."""
    if not value.is_finite():
        return str(value)
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else str(value)


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
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return str(value)


def row_bundle(record: Mapping[str, Any]) -> Bundle:
    """A row as a bundle: column name to JSON-safe value."""
    return {name: to_json(value) for name, value in record.items()}


def _to_int(value: JSON) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError("not an integer")
    return int(value)


def _to_bool(value: JSON) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "t", "yes", "1"}:
        return True
    if text in {"false", "f", "no", "0"}:
        return False
    raise ValueError("not a boolean")


def _to_decimal(value: JSON) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc


def _to_timestamptz(value: JSON) -> dt.datetime:
    moment = dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _to_timestamp(value: JSON) -> dt.datetime:
    moment = dt.datetime.fromisoformat(str(value))
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _to_bytes(value: JSON) -> bytes:
    return base64.b64decode(str(value), validate=True)


def _to_text(value: JSON) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _to_interval(value: JSON) -> dt.timedelta:
    return dt.timedelta(seconds=float(value))


_CONVERTERS: dict[str, Callable[[JSON], Any]] = {
    "int2": _to_int, "int4": _to_int, "int8": _to_int, "oid": _to_int,
    "float4": float, "float8": float, "numeric": _to_decimal, "bool": _to_bool,
    "date": lambda v: dt.date.fromisoformat(str(v)), "time": lambda v: dt.time.fromisoformat(str(v)),
    "timestamp": _to_timestamp, "timestamptz": _to_timestamptz, "interval": _to_interval,
    "uuid": lambda v: uuid.UUID(str(v)), "bytea": _to_bytes,
    "text": _to_text, "varchar": _to_text, "bpchar": _to_text, "name": _to_text,
}
_NATIVE: dict[str, tuple[type, ...]] = {
    "int2": (int,), "int4": (int,), "int8": (int,), "float4": (float, int), "float8": (float, int),
    "numeric": (Decimal,), "bool": (bool,), "text": (str,), "varchar": (str,), "bpchar": (str,),
}


def _convert(value: JSON, type_name: str, kind: str, element: str | None) -> Any:
    if value is None or not isinstance(value, str | int | float | list | dict):
        return value
    if kind == "array" and element is not None and isinstance(value, list):
        return [_convert(v, element, "scalar", None) for v in value]
    native = _NATIVE.get(type_name)
    if native and isinstance(value, native) and not (isinstance(value, bool) and bool not in native):
        return value
    converter = _CONVERTERS.get(type_name)
    return converter(value) if converter else value


def bind(values: Sequence[JSON], parameter_types: Sequence[Any]) -> list[Any]:
    """Convert JSON parameter values to the types the prepared statement expects."""
    if len(values) != len(parameter_types):
        raise DataError(f"the statement has {len(parameter_types)} parameter(s), {len(values)} given")
    bound = []
    for number, (value, pg_type) in enumerate(zip(values, parameter_types, strict=True), start=1):
        element = pg_type.name[1:] if pg_type.kind == "array" and pg_type.name.startswith("_") else None
        try:
            bound.append(_convert(value, pg_type.name, pg_type.kind, element))
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise DataError(f"parameter ${number} ({pg_type.name}): {value!r} does not fit: {exc}") from exc
    return bound


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
