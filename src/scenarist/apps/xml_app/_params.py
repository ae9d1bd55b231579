"""The params of the XML modules, as data: the UI form and the docs come from here.

``ATTR`` and ``TEXT`` are the keys of the JSON shape ``_convert`` describes.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ATTR, TEXT = "@attr", "#text"
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
