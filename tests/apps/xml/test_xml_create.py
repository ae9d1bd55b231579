"""``xml.create``, and its round trip through ``xml.parse``."""

from __future__ import annotations

from typing import Any

import pytest

from scenarist.apps.xml_app import CREATE, PARSE
from scenarist.sdk import DataError

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


async def xml_of(run_module: Any, value: Any, **options: Any) -> str:
    out = await run_module(CREATE, {"value": value, **options})
    assert set(out) == {"xml"}
    return str(out["xml"])


async def test_starts_with_a_declaration(run_module: Any) -> None:
    assert await xml_of(run_module, {"a": "hi"}) == DECLARATION + "<a>hi</a>"


async def test_declaration_can_be_left_out(run_module: Any) -> None:
    assert await xml_of(run_module, {"a": "hi"}, declaration=False) == "<a>hi</a>"


async def test_attributes_text_children_and_lists(run_module: Any) -> None:
    value = {"order": {"@attr": {"id": 42, "paid": True}, "#text": "note", "item": ["pen", "ink"], "empty": None}}
    expected = '<order id="42" paid="true">note<item>pen</item><item>ink</item><empty /></order>'
    assert await xml_of(run_module, value, declaration=False) == expected


async def test_special_characters_are_escaped(run_module: Any) -> None:
    value = {"a": {"@attr": {"q": 'say "<hi>" & go'}, "#text": "1 < 2 & 3 > 2"}}
    expected = '<a q="say &quot;&lt;hi&gt;&quot; &amp; go">1 &lt; 2 &amp; 3 &gt; 2</a>'
    assert await xml_of(run_module, value, declaration=False) == expected


async def test_pretty_indents_by_two_spaces(run_module: Any) -> None:
    out = await xml_of(run_module, {"a": {"b": {"c": "1"}}}, declaration=False, pretty=True)
    assert out == "<a>\n  <b>\n    <c>1</c>\n  </b>\n</a>"


async def test_numbers_and_booleans_as_text(run_module: Any) -> None:
    out = await xml_of(run_module, {"r": {"n": 1.5, "t": True, "f": False}}, declaration=False)
    assert out == "<r><n>1.5</n><t>true</t><f>false</f></r>"


async def test_a_null_attribute_is_left_out(run_module: Any) -> None:
    assert await xml_of(run_module, {"a": {"@attr": {"x": None, "y": "1"}}}, declaration=False) == '<a y="1" />'


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "exactly one key"),
        ({"a": 1, "b": 2}, "exactly one key"),
        ({"a": ["x", "y"]}, "one root element"),
        ({"bad name": "x"}, "not a valid XML name"),
        ({"1abc": "x"}, "not a valid XML name"),
        ({"a": {"<b>": "x"}}, "not a valid XML name"),
        ({"a": {"@attr": {"bad attr": "x"}}}, "not a valid XML name"),
        ({"a": {"@attr": ["x"]}}, "must be an object"),
        ({"a": {"@attr": {"k": {"nested": 1}}}}, "must be a string"),
        ({"a": {"b": [["x"]]}}, "list inside a list"),
        ({"a": {"#text": ["x"]}}, "must be a string"),
        ({"a": "bell \x07"}, "cannot carry"),
    ],
)
async def test_values_xml_cannot_say_are_data_errors(run_module: Any, value: Any, message: str) -> None:
    with pytest.raises(DataError, match=message):
        await run_module(CREATE, {"value": value})


async def test_a_value_that_is_not_an_object_is_refused(run_module: Any) -> None:
    with pytest.raises(DataError, match=r"params\.value"):
        await run_module(CREATE, {"value": ["a"]})


async def test_unicode_round_trip(run_module: Any) -> None:
    value = {"město": {"@attr": {"jméno": "Plzeň"}, "#text": "pivo 🍺"}}
    xml = await xml_of(run_module, value)
    assert await run_module(PARSE, {"xml": xml}) == value


@pytest.mark.parametrize("pretty", [False, True])
async def test_round_trip_through_parse(run_module: Any, pretty: bool) -> None:
    value = {
        "catalog": {
            "@attr": {"version": "2", "lang": "en"},
            "book": [
                {"@attr": {"id": "b1"}, "title": "Dune", "author": ["Frank", "Herbert"], "blurb": "<sand> & spice"},
                {"@attr": {"id": "b2"}, "title": "Solaris", "author": "Lem", "note": None},
            ],
            "owner": {"name": "Ada", "address": {"city": "London", "zip": "NW1"}},
            "label": {"@attr": {"kind": "x"}, "#text": "mixed text"},
        }
    }
    xml = await xml_of(run_module, value, pretty=pretty)
    assert await run_module(PARSE, {"xml": xml}) == value


async def test_namespaced_round_trip(run_module: Any) -> None:
    value = {"{urn:a}r": {"{urn:b}x": {"@attr": {"{urn:b}k": "1"}, "#text": "t"}}}
    xml = await xml_of(run_module, value)
    assert await run_module(PARSE, {"xml": xml}) == value


async def test_parse_then_create_then_parse_is_stable(run_module: Any) -> None:
    source = '<feed><entry id="1"><t>a &amp; b</t></entry><entry id="2"><t/></entry></feed>'
    first = await run_module(PARSE, {"xml": source})
    xml = await xml_of(run_module, first)
    assert await run_module(PARSE, {"xml": xml}) == first
