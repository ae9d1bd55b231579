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
    return validated_fields(model, connection.get("fields") or {}, key)


def validated_fields(model: type[FieldsT], fields: Mapping[str, Any], key: str) -> FieldsT:
    """``fields`` validated by ``model``: an ``InvalidConfigurationError`` naming every field at
    fault (``fields`` for a problem of the whole set), never a value."""
    try:
        return model.model_validate(dict(fields))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'fields'}: {e['msg']}" for e in exc.errors())
        raise InvalidConfigurationError(f"the {key} connection is incomplete: {problems}") from exc
