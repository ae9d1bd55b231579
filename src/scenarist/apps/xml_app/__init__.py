"""The XML app: read XML into data (``xml.parse``) and write data as XML (``xml.create``).

The JSON shape of a document is described in ``_convert``: ``{root: value}``,
attributes under ``"@attr"``, text under ``"#text"``, repeated elements as lists.

Reading is safe against hostile documents: ``defusedxml`` refuses every entity
declaration (billion laughs, quadratic blowup), external entities and
external DTD references (XXE) with a ``DataError``, before anything is
expanded or fetched. A DOCTYPE that only names a DTD is read and ignored.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError, indent, tostring

import defusedxml.ElementTree as safe_tree
from defusedxml import DefusedXmlException
from pydantic import BaseModel, ConfigDict, Field

from scenarist.apps.xml_app._convert import ATTR, TEXT, element_to_json, json_to_element
from scenarist.sdk import App, DataError, ModuleSpec, RunContext, run_blocking
from scenarist.types import Bundle

MAX_XML_CHARS = 20_000_000


class ParseParams(BaseModel):
    """The XML text and how to shape its data."""

    model_config = ConfigDict(extra="forbid")

    xml: str = Field(
        description=f"An XML document (at most {MAX_XML_CHARS:,} characters). Entity declarations are refused.",
        examples=['<order id="42"><item>pen</item><item>ink</item></order>'],
    )
    always_list: list[str] = Field(
        default_factory=list,
        description="Element names that are always a list, even when they occur once.",
        examples=[["item"]],
    )
    strip_namespaces: bool = Field(
        default=False,
        description="Drop namespaces from names ({urn:x}item becomes item).",
        examples=[True],
    )


class CreateParams(BaseModel):
    """The data to write as XML."""

    model_config = ConfigDict(extra="forbid")

    value: dict[str, Any] = Field(
        description=f'One key, the root element\'s name; attributes under "{ATTR}", text under "{TEXT}", '
        "children under their names, a list for a repeated element.",
        examples=[{"order": {ATTR: {"id": "42"}, "item": ["pen", "ink"]}}],
    )
    declaration: bool = Field(
        default=True,
        description='Start with <?xml version="1.0" encoding="UTF-8"?>.',
        examples=[True],
    )
    pretty: bool = Field(
        default=False,
        description="Put each element on its own line, indented by two spaces.",
        examples=[False],
    )


def read_document(params: ParseParams) -> Bundle:
    """``{root: value}`` for ``params.xml``; blocking."""
    try:
        root = safe_tree.fromstring(params.xml, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise DataError(f"the XML declares entities or refers to external ones, which are refused: {exc}") from exc
    except ParseError as exc:
        raise DataError(f"invalid XML: {exc}") from exc
    name = root.tag.rpartition("}")[2] if params.strip_namespaces else root.tag
    return {name: element_to_json(root, params.strip_namespaces, frozenset(params.always_list))}


def write_document(params: CreateParams) -> str:
    """The XML text for ``params.value``; blocking."""
    root: Element = json_to_element(params.value)
    if params.pretty:
        indent(root, space="  ")
    body = tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}' if params.declaration else body


async def parse(ctx: RunContext, params: ParseParams) -> Bundle:
    """The document as data: ``{root: value}``."""
    if len(params.xml) > MAX_XML_CHARS:
        raise DataError(f"the XML has {len(params.xml):,} characters; the limit is {MAX_XML_CHARS:,}")
    return await run_blocking(read_document, params)


async def create(ctx: RunContext, params: CreateParams) -> Bundle:
    """``{xml}``: the data as XML text."""
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
