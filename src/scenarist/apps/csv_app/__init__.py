"""The CSV app: read CSV text into bundles (``csv.parse``) and write rows as CSV (``csv.create``).

``csv.parse`` is a search, as Make's CSV parser: one bundle per row, keyed by
the header's names (``column_1`` .. ``column_n`` without a header, or for a
header cell that is empty; a repeated name gets ``_2``, ``_3``). A row shorter
than the header gets ``""`` for the missing cells; a longer one gets
``column_<n>`` keys for the extra cells. Values are always strings. Quotes are
read strictly: a stray quote inside an unquoted field is a ``DataError``.

``csv.create`` outputs ``{"csv": text}``. Object rows are written in the order
of ``columns`` (default: every key in the order first seen); keys not in
``columns`` are left out. List rows are written as they are. null is written
as an empty cell, booleans as ``true``/``false``, objects and arrays as JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scenarist.sdk import App, Bundle, DataError, ModuleSpec, RunContext, run_blocking

MAX_ROWS = 100_000
MAX_TEXT_CHARS = 50_000_000
LINE_ENDINGS = {"crlf": "\r\n", "lf": "\n"}
Row = dict[str, Any] | list[Any]


class _Dialect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delimiter: str = Field(
        default=",",
        min_length=1,
        max_length=1,
        description="The one character between cells; a tab is written \\t.",
        examples=[";"],
    )
    quote_char: str = Field(
        default='"',
        min_length=1,
        max_length=1,
        description="The one character around cells that hold the delimiter, a quote or a line break.",
        examples=['"'],
    )


class ParseParams(_Dialect):
    """The CSV text and how to read it."""

    text: str = Field(
        description=f"CSV text (at most {MAX_ROWS:,} rows).",
        examples=['id,name\n1,Ada\n2,"Lovelace, Ada"\n'],
    )
    has_header: bool = Field(
        default=True,
        description="The first row names the columns; when false the keys are column_1 .. column_n.",
        examples=[True],
    )
    skip_empty: bool = Field(
        default=True,
        description="Leave out rows whose cells are all empty.",
        examples=[True],
    )


class CreateParams(_Dialect):
    """The rows to write and how to write them."""

    rows: list[Row] = Field(
        max_length=MAX_ROWS,
        description=f"The rows (at most {MAX_ROWS:,}): objects (column name to value) or lists of values.",
        examples=[[{"id": 1, "name": "Ada"}, {"id": 2, "name": "Grace"}]],
    )
    columns: list[str] | None = Field(
        default=None,
        description="Column names in the order to write them; for object rows this also selects "
        "the keys written. Default: every key of the object rows, in the order first seen.",
        examples=[["id", "name"]],
    )
    include_header: bool = Field(
        default=True,
        description="Write the column names as the first row (list rows have names only when columns is given).",
        examples=[True],
    )
    line_ending: Literal["crlf", "lf"] = Field(
        default="crlf",
        description='Line ending: "crlf" (\\r\\n, as RFC 4180) or "lf" (\\n).',
        examples=["lf"],
    )


def _check_dialect(params: _Dialect) -> None:
    if params.delimiter == params.quote_char:
        raise DataError("the delimiter and the quote character must differ")
    if {params.delimiter, params.quote_char} & {"\r", "\n"}:
        raise DataError("neither the delimiter nor the quote character may be a line break")


def _unique_keys(header: list[str]) -> list[str]:
    keys: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        key = name.strip() or f"column_{position}"
        candidate, n = key, 1
        while candidate in seen:
            n += 1
            candidate = f"{key}_{n}"
        seen.add(candidate)
        keys.append(candidate)
    return keys


def _bundle(keys: list[str], cells: list[str]) -> Bundle:
    bundle = {key: (cells[i] if i < len(cells) else "") for i, key in enumerate(keys)}
    for position in range(len(keys) + 1, len(cells) + 1):
        bundle.setdefault(f"column_{position}", cells[position - 1])
    return bundle


def _records(reader: Iterator[list[str]], skip_empty: bool) -> Iterator[list[str]]:
    for cells in reader:
        if skip_empty and not any(cells):
            continue
        yield cells


def parse_rows(params: ParseParams) -> list[Bundle]:
    """One bundle per row of ``params.text``; blocking."""
    text = params.text.removeprefix("\ufeff")
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=params.delimiter, quotechar=params.quote_char, strict=True
    )
    records = _records(reader, params.skip_empty)
    bundles: list[Bundle] = []
    try:
        keys = _unique_keys(next(records, [])) if params.has_header else []
        for cells in records:
            if len(bundles) == MAX_ROWS:
                raise DataError(f"the CSV has more than {MAX_ROWS:,} rows")
            bundles.append(_bundle(keys, cells))
    except csv.Error as exc:
        raise DataError(f"invalid CSV at line {reader.line_num}: {exc}") from exc
    return bundles


async def parse(ctx: RunContext, params: ParseParams) -> list[Bundle]:
    """One bundle per CSV row."""
    _check_dialect(params)
    if len(params.text) > MAX_TEXT_CHARS:
        raise DataError(f"the CSV has {len(params.text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
    return await run_blocking(parse_rows, params)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _columns(rows: Iterable[Row]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        if isinstance(row, dict):
            seen.update(dict.fromkeys(row))
    return list(seen)


def _line(row: Row, columns: list[str]) -> list[str]:
    if isinstance(row, dict):
        return [_cell(row.get(name)) for name in columns]
    return [_cell(value) for value in row]


def write_rows(params: CreateParams) -> str:
    """The CSV text of ``params.rows``; blocking."""
    columns = params.columns if params.columns is not None else _columns(params.rows)
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=params.delimiter,
        quotechar=params.quote_char,
        lineterminator=LINE_ENDINGS[params.line_ending],
        quoting=csv.QUOTE_MINIMAL,
    )
    try:
        if params.include_header and columns:
            writer.writerow(columns)
        for row in params.rows:
            writer.writerow(_line(row, columns))
    except csv.Error as exc:
        raise DataError(f"the rows cannot be written as CSV: {exc}") from exc
    return buffer.getvalue()


async def create(ctx: RunContext, params: CreateParams) -> Bundle:
    """``{csv}``: the rows as CSV text."""
    _check_dialect(params)
    return {"csv": await run_blocking(write_rows, params)}


PARSE = ModuleSpec(
    key="parse",
    label="Parse CSV",
    description="Read CSV text: one bundle per row, keyed by the header's column names.",
    params=ParseParams,
    run=parse,
    kind="search",
)
CREATE = ModuleSpec(
    key="create",
    label="Create CSV",
    description='Write rows (objects or lists) as CSV text, output as {"csv": text}.',
    params=CreateParams,
    run=create,
)

app = App(
    key="csv",
    label="CSV",
    description="Read CSV text into bundles and write rows as CSV text.",
    modules=(PARSE, CREATE),
)

__all__ = ["CREATE", "PARSE", "CreateParams", "ParseParams", "app"]
