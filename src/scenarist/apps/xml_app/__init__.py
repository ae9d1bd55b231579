"""The XML app: read XML into data (``xml.parse``) and write data as XML (``xml.create``).

The JSON shape of a document is described in ``_convert``: ``{root: value}``,
attributes under ``"@attr"``, text under ``"#text"``, repeated elements as lists.

Reading is safe against hostile documents: ``defusedxml`` refuses every entity
declaration (billion laughs, quadratic blowup), external entities and
external DTD references (XXE) with a ``DataError``, before anything is
expanded or fetched. A DOCTYPE that only names a DTD is read and ignored.

The parser and writer (``_document``) are imported on the first run, not when
the catalogue is read.
"""

from __future__ import annotations

from scenarist.apps.xml_app._params import MAX_XML_CHARS, CreateParams, ParseParams
from scenarist.sdk import App, Bundle, DataError, ModuleSpec, RunContext, run_blocking


async def parse(ctx: RunContext, params: ParseParams) -> Bundle:
    """The document as data: ``{root: value}``."""
    from scenarist.apps.xml_app._document import read_document

    if len(params.xml) > MAX_XML_CHARS:
        raise DataError(f"the XML has {len(params.xml):,} characters; the limit is {MAX_XML_CHARS:,}")
    return await run_blocking(read_document, params)


async def create(ctx: RunContext, params: CreateParams) -> Bundle:
    """``{xml}``: the data as XML text."""
    from scenarist.apps.xml_app._document import write_document

    return {"xml": await run_blocking(write_document, params)}


PARSE = ModuleSpec(
    key="parse",
    label="Parse XML",
    description='Read XML into data: {root: value}, attributes under "@attr", text under "#text", '
    "repeated elements as lists. Entity declarations are refused.",
    params=ParseParams,
    run=parse,
)
CREATE = ModuleSpec(
    key="create",
    label="Create XML",
    description='Write data in the parse convention as XML text, output as {"xml": text}.',
    params=CreateParams,
    run=create,
)

app = App(
    key="xml",
    label="XML",
    description="Read XML into data and write data as XML, safely.",
    modules=(PARSE, CREATE),
)

__all__ = ["CREATE", "PARSE", "CreateParams", "ParseParams", "app"]
