"""``xml.parse``: XML to data, refusing hostile documents."""

from __future__ import annotations

import time
from typing import Any

import pytest

from scenarist.apps.xml_app import CREATE, MAX_XML_CHARS, PARSE, app
from scenarist.apps.xml_app._convert import MAX_DEPTH
from scenarist.sdk import DataError, ModuleSpec

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<foo>&xxe;</foo>"""

EXTERNAL_PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd"> %remote;]>
<foo/>"""


def test_app_declares_parse_and_create_actions() -> None:
    assert app.key == "xml"
    assert [(m.key, m.kind) for m in app.modules] == [("parse", "action"), ("create", "action")]


@pytest.mark.parametrize("module", [PARSE, CREATE], ids=lambda m: m.key)
def test_every_param_has_a_description_and_an_example(module: ModuleSpec) -> None:
    for name, schema in module.params_schema()["properties"].items():
        assert schema.get("description"), name
        assert schema.get("examples"), name


async def test_the_root_name_is_the_key(run_module: Any) -> None:
    assert await run_module(PARSE, {"xml": "<greeting>hello</greeting>"}) == {"greeting": "hello"}


async def test_attributes_go_under_attr_and_text_under_text(run_module: Any) -> None:
    out = await run_module(PARSE, {"xml": '<price currency="EUR" net="yes">12.50</price>'})
    assert out == {"price": {"@attr": {"currency": "EUR", "net": "yes"}, "#text": "12.50"}}


async def test_repeated_elements_become_a_list_in_order(run_module: Any) -> None:
    out = await run_module(PARSE, {"xml": "<order><item>pen</item><note>n</note><item>ink</item></order>"})
    assert out == {"order": {"item": ["pen", "ink"], "note": "n"}}


async def test_always_list_makes_a_single_element_a_list(run_module: Any) -> None:
    out = await run_module(PARSE, {"xml": "<order><item>pen</item></order>", "always_list": ["item"]})
    assert out == {"order": {"item": ["pen"]}}


async def test_an_empty_element_is_null(run_module: Any) -> None:
    assert await run_module(PARSE, {"xml": "<a><b/><c></c></a>"}) == {"a": {"b": None, "c": None}}


async def test_white_space_between_children_is_not_text(run_module: Any) -> None:
    out = await run_module(PARSE, {"xml": "<a>\n  <b>1</b>\n  <b>2</b>\n</a>"})
    assert out == {"a": {"b": ["1", "2"]}}


async def test_leaf_text_is_kept_as_is(run_module: Any) -> None:
    assert await run_module(PARSE, {"xml": "<a>  padded  </a>"}) == {"a": "  padded  "}


async def test_mixed_content_text_is_joined(run_module: Any) -> None:
    out = await run_module(PARSE, {"xml": "<p>Hello <b>big</b> world</p>"})
    assert out == {"p": {"#text": "Hello  world", "b": "big"}}


async def test_cdata_comments_and_processing_instructions(run_module: Any) -> None:
    out = await run_module(PARSE, {"xml": "<a><!-- note --><?pi data?><![CDATA[<raw> & stuff]]></a>"})
    assert out == {"a": "<raw> & stuff"}


async def test_predefined_and_numeric_entities_are_decoded(run_module: Any) -> None:
    assert await run_module(PARSE, {"xml": "<a>&lt;&amp;&gt;&quot;&apos; &#233;&#x1F600;</a>"}) == {"a": "<&>\"' é😀"}


async def test_unicode_names_and_text(run_module: Any) -> None:
    out = await run_module(PARSE, {"xml": '<město jméno="Plzeň">pivo 🍺</město>'})
    assert out == {"město": {"@attr": {"jméno": "Plzeň"}, "#text": "pivo 🍺"}}


async def test_namespaces_in_clark_notation(run_module: Any) -> None:
    out = await run_module(PARSE, {"xml": '<r xmlns="urn:a" xmlns:b="urn:b"><b:x b:k="1">t</b:x></r>'})
    assert out == {"{urn:a}r": {"{urn:b}x": {"@attr": {"{urn:b}k": "1"}, "#text": "t"}}}


async def test_namespaces_can_be_stripped(run_module: Any) -> None:
    out = await run_module(
        PARSE, {"xml": '<r xmlns="urn:a" xmlns:b="urn:b"><b:x b:k="1">t</b:x></r>', "strip_namespaces": True}
    )
    assert out == {"r": {"x": {"@attr": {"k": "1"}, "#text": "t"}}}


async def test_a_declaration_with_another_encoding_is_read(run_module: Any) -> None:
    assert await run_module(PARSE, {"xml": '<?xml version="1.0" encoding="ISO-8859-2"?><a>ž</a>'}) == {"a": "ž"}


async def test_a_doctype_naming_an_external_dtd_is_read_without_fetching_it(run_module: Any) -> None:
    xml = '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://127.0.0.1:1/plist.dtd"><plist>1</plist>'
    assert await run_module(PARSE, {"xml": xml}) == {"plist": "1"}


async def test_billion_laughs_is_refused_quickly(run_module: Any) -> None:
    started = time.monotonic()
    with pytest.raises(DataError, match="entities"):
        await run_module(PARSE, {"xml": BILLION_LAUGHS})
    assert time.monotonic() - started < 1


async def test_an_external_entity_is_refused(run_module: Any) -> None:
    started = time.monotonic()
    with pytest.raises(DataError, match="entities") as caught:
        await run_module(PARSE, {"xml": EXTERNAL_ENTITY})
    assert "root:" not in caught.value.message
    assert time.monotonic() - started < 1


async def test_an_external_parameter_entity_is_refused(run_module: Any) -> None:
    with pytest.raises(DataError, match="entities"):
        await run_module(PARSE, {"xml": EXTERNAL_PARAMETER_ENTITY})


async def test_an_undefined_entity_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="undefined entity"):
        await run_module(PARSE, {"xml": "<a>&nbsp;</a>"})


@pytest.mark.parametrize(
    "xml",
    ["", "   ", "not xml", "<a><b></a>", "<a>", "<a/><b/>", "<a x='1' x='2'/>"],
    ids=["empty", "blank", "text", "mismatched", "unclosed", "two-roots", "duplicate-attribute"],
)
async def test_malformed_xml_is_a_data_error(run_module: Any, xml: str) -> None:
    with pytest.raises(DataError, match="invalid XML"):
        await run_module(PARSE, {"xml": xml})


async def test_nesting_deeper_than_the_limit_is_a_data_error(run_module: Any) -> None:
    depth = MAX_DEPTH + 5
    with pytest.raises(DataError, match="nested deeper"):
        await run_module(PARSE, {"xml": "<a>" * depth + "</a>" * depth})


async def test_xml_over_the_size_limit_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="the limit is"):
        await run_module(PARSE, {"xml": "<a>" + "x" * MAX_XML_CHARS + "</a>"})
