"""``text.html_to_text``: the readable text of HTML."""

from __future__ import annotations

from typing import Any

import pytest

from scenarist.apps.text import HTML_TO_TEXT
from scenarist.apps.text._html import MAX_HTML_CHARS
from scenarist.sdk import DataError


async def text_of(run_module: Any, html: str) -> str:
    out = await run_module(HTML_TO_TEXT, {"html": html})
    assert set(out) == {"text"}
    return str(out["text"])


async def test_scripts_styles_and_title_are_dropped(run_module: Any) -> None:
    html = (
        "<html><head><title>Tab title</title><style>p { color: red }</style>"
        "<script>var x = '<p>not text</p>';</script></head>"
        "<body>Visible<noscript>enable JS</noscript></body></html>"
    )
    assert await text_of(run_module, html) == "Visible"


async def test_block_elements_start_new_lines(run_module: Any) -> None:
    assert await text_of(run_module, "<div>one</div><div>two</div><li>three</li>") == "one\ntwo\nthree"


async def test_paragraphs_and_headings_are_separated_by_a_blank_line(run_module: Any) -> None:
    assert await text_of(run_module, "<h1>Title</h1><p>First</p><p>Second</p>") == "Title\n\nFirst\n\nSecond"


async def test_br_is_a_line_break(run_module: Any) -> None:
    assert await text_of(run_module, "one<br>two<br/>three") == "one\ntwo\nthree"


async def test_inline_elements_stay_on_the_line(run_module: Any) -> None:
    assert await text_of(run_module, "<p>open <b>now</b>, <a href='/x'>see</a> more</p>") == "open now, see more"


async def test_white_space_collapses_like_a_browser(run_module: Any) -> None:
    assert await text_of(run_module, "<p>  lots \n\n of\t  space  </p>") == "lots of space"


async def test_pre_keeps_its_white_space(run_module: Any) -> None:
    assert await text_of(run_module, "<p>code:</p><pre>if x:\n    y()</pre>") == "code:\n\nif x:\n    y()"


async def test_entities_are_decoded(run_module: Any) -> None:
    html = "<p>Caf&eacute; &amp; bar &lt;tag&gt; &#8364;5 &#x1F600; a&nbsp;b</p>"
    assert await text_of(run_module, html) == "Café & bar <tag> €5 😀 a b"


async def test_table_cells_are_tab_separated_rows_on_lines(run_module: Any) -> None:
    html = "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"
    assert await text_of(run_module, html) == "a\tb\n1\t2"


async def test_unicode_text_passes_through(run_module: Any) -> None:
    assert await text_of(run_module, "<p>Příliš žluťoučký kůň 🐎</p>") == "Příliš žluťoučký kůň 🐎"


async def test_plain_text_is_its_own_text(run_module: Any) -> None:
    assert await text_of(run_module, "just words") == "just words"


async def test_empty_html_is_empty_text(run_module: Any) -> None:
    assert await text_of(run_module, "") == ""


async def test_broken_markup_is_read_leniently(run_module: Any) -> None:
    assert await text_of(run_module, "<div><p>unclosed <b>bold<div>next</span>") == "unclosed bold\nnext"


async def test_html_over_the_size_limit_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="the limit is"):
        await run_module(HTML_TO_TEXT, {"html": "x" * (MAX_HTML_CHARS + 1)})
