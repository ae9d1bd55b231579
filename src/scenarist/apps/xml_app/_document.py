"""Reading and writing XML documents, blocking: defusedxml to read, ElementTree to write.

Both cost some memory (ElementTree pulls in the expat parser), so the modules
import this file on their first run, not when the catalogue is read.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError, indent, tostring

import defusedxml.ElementTree as safe_tree
from defusedxml import DefusedXmlException

from scenarist.apps.xml_app._convert import element_to_json, json_to_element
from scenarist.apps.xml_app._params import CreateParams, ParseParams
from scenarist.sdk import Bundle, DataError


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
