"""``csv.parse``: one bundle per row."""

from __future__ import annotations

from typing import Any

import pytest

from scenarist.apps.csv_app import CREATE, MAX_ROWS, PARSE, app
from scenarist.sdk import DataError, ModuleSpec


def test_app_declares_parse_as_a_search_and_create_as_an_action() -> None:
    assert app.key == "csv"
    assert [(m.key, m.kind) for m in app.modules] == [("parse", "search"), ("create", "action")]


@pytest.mark.parametrize("module", [PARSE, CREATE], ids=lambda m: m.key)
def test_every_param_has_a_description_and_an_example(module: ModuleSpec) -> None:
    for name, schema in module.params_schema()["properties"].items():
        assert schema.get("description"), name
        assert schema.get("examples"), name


async def test_one_bundle_per_row_keyed_by_the_header(run_module: Any) -> None:
    out = await run_module(PARSE, {"text": "id,name\n1,Ada\n2,Grace\n"})
    assert out == [{"id": "1", "name": "Ada"}, {"id": "2", "name": "Grace"}]


async def test_without_a_header_keys_are_column_numbers(run_module: Any) -> None:
    out = await run_module(PARSE, {"text": "1,Ada\n2,Grace", "has_header": False})
    assert out == [{"column_1": "1", "column_2": "Ada"}, {"column_1": "2", "column_2": "Grace"}]


async def test_quoted_fields_hold_delimiters_quotes_and_line_breaks(run_module: Any) -> None:
    text = 'name,note\r\n"Lovelace, Ada","said ""hi""\r\nand left"\r\n'
    assert await run_module(PARSE, {"text": text}) == [{"name": "Lovelace, Ada", "note": 'said "hi"\r\nand left'}]


async def test_other_delimiter_and_quote_char(run_module: Any) -> None:
    out = await run_module(PARSE, {"text": "a;b\n'x;y';z\n", "delimiter": ";", "quote_char": "'"})
    assert out == [{"a": "x;y", "b": "z"}]


async def test_tab_separated(run_module: Any) -> None:
    assert await run_module(PARSE, {"text": "a\tb\n1\t2\n", "delimiter": "\t"}) == [{"a": "1", "b": "2"}]


async def test_empty_rows_are_skipped_by_default(run_module: Any) -> None:
    assert await run_module(PARSE, {"text": "a,b\n\n1,2\n,\n\n3,4\n"}) == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


async def test_empty_rows_are_kept_when_asked(run_module: Any) -> None:
    out = await run_module(PARSE, {"text": "a,b\n1,2\n,\n", "skip_empty": False})
    assert out == [{"a": "1", "b": "2"}, {"a": "", "b": ""}]


async def test_short_rows_get_empty_cells_and_long_rows_numbered_keys(run_module: Any) -> None:
    out = await run_module(PARSE, {"text": "a,b\n1\n1,2,3\n"})
    assert out == [{"a": "1", "b": ""}, {"a": "1", "b": "2", "column_3": "3"}]


async def test_repeated_and_empty_header_names_are_made_unique(run_module: Any) -> None:
    out = await run_module(PARSE, {"text": "a,a,,b\n1,2,3,4\n"})
    assert out == [{"a": "1", "a_2": "2", "column_3": "3", "b": "4"}]


async def test_a_byte_order_mark_is_ignored(run_module: Any) -> None:
    assert await run_module(PARSE, {"text": "\ufeffid\n7\n"}) == [{"id": "7"}]


async def test_unicode_cells(run_module: Any) -> None:
    assert await run_module(PARSE, {"text": "jméno,město\nŽofie,Plzeň 🍺\n"}) == [
        {"jméno": "Žofie", "město": "Plzeň 🍺"}
    ]


async def test_empty_text_gives_no_bundle(run_module: Any) -> None:
    assert await run_module(PARSE, {"text": ""}) == []


async def test_a_header_alone_gives_no_bundle(run_module: Any) -> None:
    assert await run_module(PARSE, {"text": "a,b\n"}) == []


async def test_an_unclosed_quote_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="invalid CSV"):
        await run_module(PARSE, {"text": 'a,b\n1,"never closed\n'})


async def test_a_stray_quote_after_a_quoted_field_is_a_data_error_naming_the_line(run_module: Any) -> None:
    with pytest.raises(DataError, match="line 3"):
        await run_module(PARSE, {"text": 'a,b\n1,2\n"x"y,3\n'})


async def test_the_same_delimiter_and_quote_char_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="must differ"):
        await run_module(PARSE, {"text": "a", "delimiter": "'", "quote_char": "'"})


async def test_a_line_break_delimiter_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="line break"):
        await run_module(PARSE, {"text": "a", "delimiter": "\n"})


async def test_more_rows_than_the_limit_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="more than"):
        await run_module(PARSE, {"text": "n\n" + "1\n" * (MAX_ROWS + 1)})


async def test_exactly_the_row_limit_is_allowed(run_module: Any) -> None:
    assert len(await run_module(PARSE, {"text": "n\n" + "1\n" * MAX_ROWS})) == MAX_ROWS
