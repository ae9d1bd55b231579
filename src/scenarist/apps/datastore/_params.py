"""The params of the data store modules, described for the catalogue and the UI."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Operator = Literal[
    "equal", "not_equal", "greater", "greater_or_equal", "less", "less_or_equal",
    "contains", "not_contains", "starts_with", "ends_with", "exists", "not_exists",
]
STORE_ID = "0195f3a4b5c6d7e8f9a0b1c2d3e4f5a6"


def _store() -> Any:
    return Field(min_length=1, max_length=64, description="The id of the data store (one of this account's).",
                 examples=[STORE_ID])


def _key(description: str) -> Any:
    return Field(min_length=1, max_length=256, description=description, examples=["order-1042"])


class Condition(BaseModel):
    """One condition of a filter."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(min_length=1, description="A field of the store's structure, `key` for the record's key, "
                       "or a path into a collection field (`address.city`).", examples=["status"])
    operator: Operator = Field(description="How the record's value is compared with `value`.", examples=["equal"])
    value: Any = Field(default=None, description="What to compare with, converted to the field's type "
                       "(not needed for exists and not_exists).", examples=["paid"])
    ignore_case: bool = Field(default=False, description="Text operators ignore upper and lower case.",
                              examples=[False])


class Sort(BaseModel):
    """How search results are ordered."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(min_length=1, description="A field of the structure, `key`, or a path into a collection.",
                       examples=["amount"])
    direction: Literal["asc", "desc"] = Field(default="asc", description="Ascending or descending; records "
                                              "without the field come last either way.", examples=["desc"])


def _filter(description: str) -> Any:
    return Field(default_factory=list, description=description + " A list of OR-groups, each a list of "
                 "conditions that must all hold; empty: every record.",
                 examples=[[[{"field": "status", "operator": "equal", "value": "paid"},
                             {"field": "amount", "operator": "greater", "value": 100}]]])


class AddRecordParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_store: str = _store()
    key: str | None = Field(default=None, max_length=256, description="The record's key; empty or null: a new "
                            "unique key is generated.", examples=["order-1042"])
    data: dict[str, Any] = Field(description="The record's fields, checked against the store's structure.",
                                 examples=[{"status": "paid", "amount": "{{ hook.body.amount }}"}])
    overwrite: bool = Field(default=False, description="Replace a record that has the key; without it such a "
                            "record fails the step with DataError.", examples=[True])


class UpdateRecordParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_store: str = _store()
    key: str = _key("The key of the record to update.")
    data: dict[str, Any] = Field(description="The fields to change; the record's other fields stay, a null "
                                 "value removes the field.", examples=[{"status": "shipped"}])
    insert_missing: bool = Field(default=False, description="Add the record when there is none with the key; "
                                 "without it a missing record fails the step with DataError.", examples=[True])


class KeyParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_store: str = _store()
    key: str = _key("The record's key.")


class SearchRecordsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_store: str = _store()
    filter: list[list[Condition]] = _filter("Which records to output.")
    sort: Sort | None = Field(default=None, description="Order by a field; none: by key.",
                              examples=[{"field": "amount", "direction": "desc"}])
    limit: int | None = Field(default=None, ge=1, le=100_000, description="Output at most this many "
                              "records; none: every match.", examples=[10])


class CountRecordsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_store: str = _store()
    filter: list[list[Condition]] = _filter("Which records to count.")


class StoreParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_store: str = _store()
