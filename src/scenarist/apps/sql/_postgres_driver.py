"""The asyncpg side of the PostgreSQL app: sessions, parameter binding, failures as contract errors.

asyncpg costs a couple of megabytes and is needed by the store only when it
runs on PostgreSQL, so only a statement or a connection test imports this
module; reading the catalogue (``postgres``) does not. Parameters are bound as
``postgres`` describes: JSON values converted to the type the server inferred.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import ssl
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

import asyncpg

from scenarist.apps.sql._connection import CONNECT_TIMEOUT_SECONDS, DatabaseFields, connect_errors, no_tls
from scenarist.apps.sql._dialect import Outcome
from scenarist.sdk import (
    JSON,
    AuthenticationError,
    ConnectionError,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
)
from scenarist.sdk.sockets import ErrorMap, Rule, certificate_problem, resolve

_AUTH_SQLSTATES = frozenset({"28000", "28P01"})


def _server_error(exc: BaseException) -> type[ModuleError]:
    """Refused credentials, an unknown database, else what the statement did."""
    if getattr(exc, "sqlstate", None) in _AUTH_SQLSTATES:
        return AuthenticationError
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return InvalidConfigurationError
    return DataError


def _server_text(exc: BaseException) -> str:
    """The server's message, with its detail."""
    message = f"PostgreSQL: {exc}"
    detail = getattr(exc, "detail", None)
    return f"{message} ({detail})" if detail else message


_SERVER_ERROR = Rule(asyncpg.PostgresError, _server_error, _server_text)
_SESSION_ERRORS = ErrorMap(
    "the PostgreSQL session",
    _SERVER_ERROR,
    Rule(TimeoutError, ModuleTimeoutError, "PostgreSQL did not finish the statement in time"),
    Rule((OSError, asyncpg.InterfaceError), ConnectionError, "the PostgreSQL session broke: {kind}: {exc}"),
)


def _rejected_tls(exc: BaseException) -> bool:
    return "rejected SSL upgrade" in str(exc) and certificate_problem(exc) is None


def _connect_errors(fields: DatabaseFields) -> ErrorMap:
    where = f"PostgreSQL at {fields.host}:{fields.port}"
    return connect_errors(where, _SERVER_ERROR, Rule(_rejected_tls, InvalidConfigurationError,
                                                     lambda _: no_tls(where, fields)))


async def _set_codecs(connection: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await connection.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


@asynccontextmanager
async def connect(fields: DatabaseFields, egress: Egress | None) -> AsyncIterator[asyncpg.Connection]:
    """An open session (JSON columns decoded), closed on the way out; failures as contract errors."""
    address = await resolve(egress, fields.host, fields.port)
    with _connect_errors(fields).translating(
        OSError, TimeoutError, ssl.SSLError, asyncpg.PostgresError, asyncpg.InterfaceError
    ):
        connection = await asyncpg.connect(
            host=address, port=fields.port, user=fields.username, password=fields.password,
            database=fields.database, ssl=fields.tls_context() or False, timeout=CONNECT_TIMEOUT_SECONDS,
            statement_cache_size=0,
        )
    try:
        with _SESSION_ERRORS.translating(asyncpg.PostgresError, TimeoutError, OSError, asyncpg.InterfaceError):
            await _set_codecs(connection)
            yield connection
    finally:
        await _close(connection)


async def _close(connection: asyncpg.Connection) -> None:
    try:
        await connection.close(timeout=5)
    except (OSError, TimeoutError, asyncpg.InterfaceError):
        connection.terminate()


async def server_version(fields: DatabaseFields, egress: Egress | None) -> str:
    """``major.minor`` of the server, on a fresh session (the connection test)."""
    async with connect(fields, egress) as connection:
        version = connection.get_server_version()
    return f"{version.major}.{version.minor}"


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


def _rowcount(tag: str) -> int:
    """The row count at the end of a command tag (``UPDATE 3``), 0 when it has none."""
    last = tag.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


async def execute(fields: DatabaseFields, egress: Egress | None, sql: str, values: Sequence[JSON],
                  seconds: float) -> Outcome:
    """Prepare, bind by the inferred types, run."""
    async with connect(fields, egress) as connection:
        statement = await connection.prepare(sql, timeout=seconds)
        rows = await statement.fetch(*bind(values, statement.get_parameters()), timeout=seconds)
        return Outcome(rows=rows, rowcount=_rowcount(statement.get_statusmsg()))
