"""``csv.create``, and its round trip through ``csv.parse``."""

from __future__ import annotations

from typing import Any

import pytest

from scenarist.apps.csv_app import CREATE, PARSE
from scenarist.sdk import DataError


async def csv_of(run_module: Any, **params: Any) -> str:
    out = await run_module(CREATE, params)
    assert set(out) == {"csv"}
    return str(out["csv"])


async def test_object_rows_with_a_header(run_module: Any) -> None:
    text = await csv_of(run_module, rows=[{"id": 1, "name": "Ada"}, {"id": 2, "name": "Grace"}])
    assert text == "id,name\r\n1,Ada\r\n2,Grace\r\n"


async def test_columns_set_the_order_and_select_the_keys(run_module: Any) -> None:
    text = await csv_of(run_module, rows=[{"id": 1, "name": "Ada", "secret": "x"}], columns=["name", "id"])
    assert text == "name,id\r\nAda,1\r\n"


async def test_default_columns_are_every_key_in_first_seen_order(run_module: Any) -> None:
    text = await csv_of(run_module, rows=[{"a": 1}, {"b": 2, "a": 3}], line_ending="lf")
    assert text == "a,b\n1,\n3,2\n"


async def test_list_rows_without_columns_have_no_header(run_module: Any) -> None:
    assert await csv_of(run_module, rows=[[1, "x"], [2, "y"]], line_ending="lf") == "1,x\n2,y\n"


async def test_list_rows_with_columns_get_a_header(run_module: Any) -> None:
    assert await csv_of(run_module, rows=[[1, "x"]], columns=["n", "s"], line_ending="lf") == "n,s\n1,x\n"


async def test_header_can_be_left_out(run_module: Any) -> None:
    assert await csv_of(run_module, rows=[{"a": 1}], include_header=False, line_ending="lf") == "1\n"


async def test_cells_with_delimiters_quotes_and_line_breaks_are_quoted(run_module: Any) -> None:
    text = await csv_of(run_module, rows=[["a,b", 'say "hi"', "two\nlines", "plain"]], line_ending="lf")
    assert text == '"a,b","say ""hi""","two\nlines",plain\n'


async def test_null_booleans_and_nested_values(run_module: Any) -> None:
    text = await csv_of(run_module, rows=[[None, True, False, 1.5, {"k": [1]}]], line_ending="lf", delimiter=";")
    assert text == ';true;false;1.5;"{""k"":[1]}"\n'


async def test_no_rows_is_empty_text(run_module: Any) -> None:
    assert await csv_of(run_module, rows=[]) == ""


async def test_no_rows_with_columns_is_a_header_alone(run_module: Any) -> None:
    assert await csv_of(run_module, rows=[], columns=["a", "b"]) == "a,b\r\n"


async def test_a_row_that_is_neither_object_nor_list_is_refused(run_module: Any) -> None:
    with pytest.raises(DataError, match=r"params\.rows\.0"):
        await run_module(CREATE, {"rows": ["just a string"]})


async def test_the_same_delimiter_and_quote_char_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="must differ"):
        await run_module(CREATE, {"rows": [[1]], "delimiter": '"'})


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
async def test_round_trip_through_parse(run_module: Any, delimiter: str) -> None:
    rows = [
        {"id": "1", "name": "Lovelace, Ada", "note": 'said "hi"\nand left', "city": "Plzeň 🍺"},
        {"id": "2", "name": "", "note": " leading and trailing ", "city": "'quoted'"},
    ]
    text = (await run_module(CREATE, {"rows": rows, "delimiter": delimiter}))["csv"]
    assert await run_module(PARSE, {"text": text, "delimiter": delimiter}) == rows


async def test_round_trip_of_list_rows_without_header(run_module: Any) -> None:
    rows = [["a", "b,c"], ["d\r\ne", '"']]
    text = (await run_module(CREATE, {"rows": rows}))["csv"]
    out = await run_module(PARSE, {"text": text, "has_header": False})
    assert out == [{"column_1": "a", "column_2": "b,c"}, {"column_1": "d\r\ne", "column_2": '"'}]
