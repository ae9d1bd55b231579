"""The params of the MySQL modules, as data: the UI form and the docs come from here."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_TIMEOUT_SECONDS = 300.0


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeout_seconds: float = Field(
        default=30.0, gt=0, le=MAX_TIMEOUT_SECONDS,
        description="Give up on the statement after this many seconds (at most 300).", examples=[10],
    )


class QueryParams(_Base):
    """One SQL statement with positional parameters; one bundle per row it returns."""

    sql: str = Field(
        min_length=1,
        description="The SQL statement. Refer to parameters as %s (and write a literal % as %% when "
        "parameters are given); values are escaped by the driver, never pasted in by hand.",
        examples=["SELECT id, email FROM customers WHERE country = %s AND created_at > %s"],
    )
    parameters: list[Any] = Field(
        default_factory=list,
        description="Values for the %s placeholders, in order; objects and lists are sent as JSON text.",
        examples=[["CZ", "2024-01-01 00:00:00"]],
    )
    max_rows: int = Field(
        default=1000, ge=1, le=100_000,
        description="Return at most this many rows (bundles); the rest are dropped.", examples=[100],
    )


class InsertParams(_Base):
    """One row to insert."""

    table: str = Field(
        min_length=1,
        description="Table name, optionally database-qualified (database.table); quoted as given.",
        examples=["shop.orders"],
    )
    row: dict[str, Any] = Field(
        default_factory=dict,
        description="Column name to value; columns left out get their defaults; objects and lists "
        "are sent as JSON text.",
        examples=[{"customer_id": 7, "total": "19.90", "note": "gift"}],
    )


class UpdateParams(_Base):
    """Set columns on the rows that match every equality in ``where``."""

    table: str = Field(
        min_length=1, description="Table name, optionally database-qualified (database.table).", examples=["orders"]
    )
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

    table: str = Field(
        min_length=1, description="Table name, optionally database-qualified (database.table).", examples=["orders"]
    )
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
