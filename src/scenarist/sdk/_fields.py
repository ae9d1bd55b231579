"""Reading a connection's fields in a module: check the type, validate, name problems, never values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from scenarist.sdk._errors import InvalidConfigurationError

FieldsT = TypeVar("FieldsT", bound=BaseModel)


def connection_fields(
    connection: Mapping[str, Any] | None, model: type[FieldsT], key: str, *, article: str = "a"
) -> FieldsT:
    """The fields of ``connection`` validated by ``model``; it must be a connection of type ``key``.

    Every problem is an ``InvalidConfigurationError`` that names the fields at
    fault, never their values. ``article`` reads before ``key`` ("a", "an").
    """
    if connection is None:
        raise InvalidConfigurationError(f"this module needs {article} {key} connection")
    if connection.get("type") != key:
        raise InvalidConfigurationError(f"expected {article} {key} connection, not {connection.get('type')!r}")
    try:
        return model.model_validate(connection.get("fields") or {})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidConfigurationError(f"the {key} connection is incomplete: {problems}") from exc
