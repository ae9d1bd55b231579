"""The params of the SQL modules, as data: the UI form and the docs come from here.

The shapes are shared; the texts that name a dialect's placeholders and table
qualifier come from its ``ParamTexts``, so each app gets its own four models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, create_model

MAX_TIMEOUT_SECONDS = 300.0


@dataclass(frozen=True)
class ParamTexts:
    """The dialect's words in the params' descriptions and examples."""

    sql: str
    """Description of ``sql``."""
    sql_example: str
    parameters: str
    """Description of ``parameters``."""
    parameters_example: list[Any]
    insert_table: str
    """Description of the insert ``table``."""
    insert_table_example: str
    row: str
    """Description of the insert ``row``."""
    qualifier: str
    """What may qualify a table name: ``schema`` or ``database``."""


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeout_seconds: float = Field(
        default=30.0, gt=0, le=MAX_TIMEOUT_SECONDS,
        description="Give up on the statement after this many seconds (at most 300).", examples=[10],
    )


class QueryParams(_Base):
    """One SQL statement with positional parameters; one bundle per row it returns."""

    sql: str = Field(min_length=1)
    parameters: list[Any] = Field(default_factory=list)
    max_rows: int = Field(
        default=1000, ge=1, le=100_000,
        description="Return at most this many rows (bundles); the rest are dropped.", examples=[100],
    )


class InsertParams(_Base):
    """One row to insert."""

    table: str = Field(min_length=1)
    row: dict[str, Any] = Field(default_factory=dict)


class UpdateParams(_Base):
    """Set columns on the rows that match every equality in ``where``."""

    table: str = Field(min_length=1)
    values: dict[str, Any] = Field(
        min_length=1, description="Column name to its new value.", examples=[{"status": "shipped"}]
    )
    where: dict[str, Any] = Field(
        min_length=1,
        description="Column name to value; a row is updated when every column equals its value "
        "(null matches IS NULL). At least one condition is required.",
        examples=[{"id": 42}],
    )


class WatchRowsParams(BaseModel):
    """New rows of a table, found by a column that only grows."""

    model_config = ConfigDict(extra="forbid")

    table: str = Field(min_length=1)
    column: str = Field(
        min_length=1,
        description="A column whose value grows with every new row: a serial id or a creation timestamp. "
        "Rows that arrive later with a value not above the last one seen are missed.",
        examples=["id"],
    )
    limit: int = Field(default=100, ge=1, le=10_000, description="At most this many rows per poll.", examples=[100])
    start: Literal["now", "all"] = Field(
        default="now",
        description="On the first poll: now: remember the newest row and return nothing; "
        "all: start from the first row.",
        examples=["now"],
    )
    timeout_seconds: float = Field(
        default=30.0, gt=0, le=MAX_TIMEOUT_SECONDS,
        description="Give up on the poll after this many seconds (at most 300).", examples=[10],
    )


class ParamModels(NamedTuple):
    """One dialect's params models."""

    query: type[QueryParams]
    insert: type[InsertParams]
    update: type[UpdateParams]
    watch_rows: type[WatchRowsParams]


def _worded(base: type[Any], fields: dict[str, Any]) -> Any:
    """``base`` under its own name and docstring, with ``fields`` described anew."""
    return create_model(base.__name__, __base__=base, __doc__=base.__doc__, __module__=__name__, **fields)


def params_models(texts: ParamTexts) -> ParamModels:
    """The four params models in the dialect's words."""
    qualified = f"Table name, optionally {texts.qualifier}-qualified ({texts.qualifier}.table)."
    table = (str, Field(min_length=1, description=qualified, examples=["orders"]))
    return ParamModels(
        query=_worded(QueryParams, {
            "sql": (str, Field(min_length=1, description=texts.sql, examples=[texts.sql_example])),
            "parameters": (list[Any], Field(default_factory=list, description=texts.parameters,
                                            examples=[texts.parameters_example])),
        }),
        insert=_worded(InsertParams, {
            "table": (str, Field(min_length=1, description=texts.insert_table,
                                 examples=[texts.insert_table_example])),
            "row": (dict[str, Any], Field(default_factory=dict, description=texts.row,
                                          examples=[{"customer_id": 7, "total": "19.90", "note": "gift"}])),
        }),
        update=_worded(UpdateParams, {"table": table}),
        watch_rows=_worded(WatchRowsParams, {"table": table}),
    )
