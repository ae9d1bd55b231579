"""``text.html_to_text``: the readable text of an HTML document.

Built on the standard ``html.parser`` (lenient: broken markup never fails).
What it does: drops ``script``, ``style``, ``noscript``, ``template``, ``title``
and their content; collapses white space as a browser does (except inside
``pre``); starts a new line at block elements and ``br``, leaves a blank line
around paragraphs, headings, lists, tables, quotes and ``pre``; separates
table cells by a tab; decodes character references (``&amp;``, ``&#233;``),
and writes a non-breaking space as a plain space.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from pydantic import BaseModel, ConfigDict, Field

from scenarist.sdk import Bundle, DataError, RunContext, run_blocking

MAX_HTML_CHARS = 5_000_000
SKIPPED = frozenset({"script", "style", "noscript", "template", "title"})
PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "dl", "table", "figure"}
)
BLOCKS = PARAGRAPHS | frozenset(
    {
        "address", "article", "aside", "caption", "dd", "details", "dialog", "div", "dt",
        "fieldset", "figcaption", "footer", "form", "header", "hr", "li", "main", "nav",
        "section", "summary", "tr", "body", "html",
    }
)  # fmt: skip
CELLS = frozenset({"td", "th"})
HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


class HtmlParams(BaseModel):
    """The HTML to read."""

    model_config = ConfigDict(extra="forbid")

    html: str = Field(
        description=f"An HTML document or fragment (at most {MAX_HTML_CHARS:,} characters).",
        examples=["<h1>Hello</h1><p>Caf&eacute; &amp; bar<br>open <b>now</b></p>"],
    )


class _TextWriter:
    """Collects text, with the line breaks and separators that the markup asks for."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.breaks = 0
        self.separator = ""

    def write(self, text: str, preformatted: bool) -> None:
        trailing = False
        if not preformatted:
            text = HTML_SPACE.sub(" ", text)
            if text.startswith(" ") and not self.separator:
                self.separator = " "
            stripped = text.strip(" ")
            if not stripped:
                return
            trailing = text.endswith(" ")
            text = stripped
        if self.parts and self.breaks:
            self.parts.append("\n" * self.breaks)
        elif self.parts and self.separator and not self.parts[-1].endswith("\n"):
            self.parts.append(self.separator)
        self.breaks, self.separator = 0, ""
        self.parts.append(text.replace("\xa0", " "))
        if trailing:
            self.separator = " "

    def line_break(self, count: int) -> None:
        self.breaks = max(self.breaks, count)

    def cell_end(self) -> None:
        self.separator = "\t"

    def text(self) -> str:
        return "".join(self.parts).strip("\n")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = _TextWriter()
        self.skipping = 0
        self.preformatted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.out.parts.append("\n" * max(1, self.out.breaks))
            self.out.breaks, self.out.separator = 0, ""
        else:
            self._boundary(tag)
            if tag == "pre":
                self.preformatted += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SKIPPED:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if tag == "pre":
            self.preformatted = max(0, self.preformatted - 1)
        if tag in CELLS:
            self.out.cell_end()
        self._boundary(tag)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.write(data, preformatted=self.preformatted > 0)

    def _boundary(self, tag: str) -> None:
        if tag in PARAGRAPHS:
            self.out.line_break(2)
        elif tag in BLOCKS:
            self.out.line_break(1)


def extract_text(html: str) -> str:
    """The text of ``html``; blocking."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.out.text()


async def html_to_text(ctx: RunContext, params: HtmlParams) -> Bundle:
    """``{text}``: the readable text of ``params.html``."""
    if len(params.html) > MAX_HTML_CHARS:
        raise DataError(f"the HTML has {len(params.html):,} characters; the limit is {MAX_HTML_CHARS:,}")
    return {"text": await run_blocking(extract_text, params.html)}
