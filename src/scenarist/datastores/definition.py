"""What a data store is made of: its structure (typed fields) and limits, and how they may change.

A structure is a list of fields ``{name, type, required, label?}``. Names are
identifiers (so that ``data.amount`` and ``address.city`` are unambiguous paths)
and unique; ``key`` is the record's key, not a field name. While a store holds
records its structure may only change in ways every stored record still fits:
a new optional field, a label, ``required`` dropped, a type widened to ``any``.
Its limits may not drop below what it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from scenarist.store.ports import DataStoreRecord

FieldType = Literal["text", "number", "boolean", "date", "array", "collection", "any"]
FIELD_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
KEY_FIELD = "key"
"""The record's key, in filters and sorts; not a field name."""
MAX_FIELDS = 200


class FieldSpec(BaseModel):
    """One field of a data store's structure."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=FIELD_NAME, description="The field's name: letters, digits and _, not starting "
                      "with a digit, at most 64; unique in the structure, not `key`.", examples=["amount"])
    type: FieldType = Field(description="What the field holds: text, number, boolean, date (ISO 8601), array, "
                            "collection (an object) or any.", examples=["number"])
    required: StrictBool = Field(default=False, description="A record must have a value (not null) for it.",
                           examples=[True])
    label: str | None = Field(default=None, max_length=200, description="A name to show instead of `name`.",
                              examples=["Amount in EUR"])


class Problem(NamedTuple):
    """What is wrong, and where (``structure[2].name``)."""

    path: str
    message: str


class DefinitionConflict(Exception):
    """The change does not fit what the data store holds."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def structure_problems(fields: Sequence[FieldSpec]) -> list[Problem]:
    """Names used twice, and the reserved name ``key``; the later field is the one named."""
    problems = []
    seen: set[str] = set()
    for i, spec in enumerate(fields):
        if spec.name == KEY_FIELD:
            problems.append(Problem(f"structure[{i}].name", "`key` is the record's key; name the field otherwise"))
        elif spec.name in seen:
            problems.append(Problem(f"structure[{i}].name", f"field {spec.name!r} is named twice"))
        seen.add(spec.name)
    return problems


def structure_json(fields: Sequence[FieldSpec]) -> list[dict[str, Any]]:
    """The structure as stored (``label`` only where given)."""
    return [spec.model_dump(exclude_none=True) for spec in fields]


def redefine(
    current: DataStoreRecord, *, name: str | None = None, structure: list[dict[str, Any]] | None = None,
    max_records: int | None = None, max_bytes: int | None = None, now: datetime,
) -> DataStoreRecord:
    """``current`` with what is given changed; ``DefinitionConflict`` for a change that what it holds
    does not allow."""
    if max_records is not None and max_records < current.record_count:
        raise DefinitionConflict(Problem("max_records", f"the store holds {current.record_count} records"))
    if max_bytes is not None and max_bytes < current.size_bytes:
        raise DefinitionConflict(Problem("max_size_bytes", f"the store holds {current.size_bytes} bytes"))
    if structure is not None and current.record_count > 0:
        conflict = structure_conflict(current.structure, structure)
        if conflict is not None:
            raise DefinitionConflict(conflict)
    return replace(
        current,
        name=current.name if name is None else name,
        structure=current.structure if structure is None else structure,
        max_records=current.max_records if max_records is None else max_records,
        max_bytes=current.max_bytes if max_bytes is None else max_bytes,
        updated_at=now,
    )


def structure_conflict(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> Problem | None:
    """The first change from ``old`` to ``new`` that a stored record might not fit; None when there is none."""
    before = {spec["name"]: spec for spec in old}
    kept = {spec["name"] for spec in new}
    for spec in old:
        if spec["name"] not in kept:
            return Problem("structure", f"field {spec['name']!r} cannot be removed while the store has records")
    for i, spec in enumerate(new):
        was = before.get(spec["name"])
        required = spec.get("required", False)
        if was is None and required:
            return Problem(f"structure[{i}].required",
                           f"new field {spec['name']!r} cannot be required while the store has records")
        if was is None:
            continue
        if spec["type"] not in (was["type"], "any"):
            return Problem(f"structure[{i}].type", f"field {spec['name']!r} cannot change from {was['type']} to "
                           f"{spec['type']} while the store has records (only to any)")
        if required and not was.get("required", False):
            return Problem(f"structure[{i}].required",
                           f"field {spec['name']!r} cannot become required while the store has records")
    return None
