"""Elements to JSON and back, in one convention.

A document is an object with one key, the root element's name. An element is:

- ``null`` when it has no attributes, no children and no text (``<a/>``);
- a string, its text, when it has only text (``<a>hi</a>`` -> ``"hi"``, kept as is);
- otherwise an object: attributes under ``"@attr"`` (name to string), text
  under ``"#text"`` (the element's own text pieces joined and stripped; left out
  when blank), and each child under its name; a name repeated among the
  children (or listed in ``always_list``) holds a list, in document order.

Names in a namespace are written ``{uri}name`` (Clark notation), or bare with
``strip_namespaces``. Comments and processing instructions are dropped; values
are always strings when read. Writing takes the same shapes, and also numbers
and booleans (``true``/``false``) as text or attribute values.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any
from xml.etree.ElementTree import Element, SubElement

from scenarist.apps.xml_app._params import ATTR, TEXT
from scenarist.sdk import DataError

MAX_DEPTH = 200
NAME = re.compile(r"(\{[^{}]*\})?[^\W\d][\w.\-]*")
ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _name(tag: str, strip_namespaces: bool) -> str:
    return tag.rpartition("}")[2] if strip_namespaces else tag


def _text(element: Element) -> str:
    pieces = [element.text or ""] + [child.tail or "" for child in element]
    return "".join(pieces).strip()


def element_to_json(element: Element, strip_namespaces: bool, always_list: Collection[str], depth: int = 0) -> Any:
    """The JSON value of ``element`` (not including its name)."""
    if depth > MAX_DEPTH:
        raise DataError(f"the XML is nested deeper than {MAX_DEPTH} elements")
    if not element.attrib and len(element) == 0:
        return element.text or None
    value: dict[str, Any] = {}
    if element.attrib:
        value[ATTR] = {_name(k, strip_namespaces): v for k, v in element.attrib.items()}
    text = _text(element)
    if text:
        value[TEXT] = text
    grouped: dict[str, list[Any]] = {}
    for child in element:
        item = element_to_json(child, strip_namespaces, always_list, depth + 1)
        grouped.setdefault(_name(child.tag, strip_namespaces), []).append(item)
    for name, items in grouped.items():
        value[name] = items if len(items) > 1 or name in always_list else items[0]
    return value


def _check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise DataError(f"{name!r} is not a valid XML name")
    return name


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str | int | float):
        text = str(value)
    else:
        raise DataError(f"{where} must be a string, a number or a boolean, not {type(value).__name__}")
    if ILLEGAL_CHARS.search(text):
        raise DataError(f"{where} holds a character that XML cannot carry")
    return text


def _fill(element: Element, value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise DataError(f"the value is nested deeper than {MAX_DEPTH} elements")
    if value is None:
        return
    if not isinstance(value, dict):
        element.text = _scalar(value, f"the text of <{element.tag}>")
        return
    for key, item in value.items():
        if key == ATTR:
            _attributes(element, item)
        elif key == TEXT:
            if item is not None:
                element.text = _scalar(item, f"the text of <{element.tag}>")
        else:
            for child in item if isinstance(item, list) else [item]:
                if isinstance(child, list):
                    raise DataError(f"<{key}> holds a list inside a list; XML cannot say that")
                _fill(SubElement(element, _check_name(key)), child, depth + 1)


def _attributes(element: Element, attributes: Any) -> None:
    if not isinstance(attributes, dict):
        raise DataError(f'"{ATTR}" of <{element.tag}> must be an object of attribute names to values')
    for name, value in attributes.items():
        if value is not None:
            element.set(_check_name(name), _scalar(value, f"the attribute {name!r} of <{element.tag}>"))


def json_to_element(document: Any) -> Element:
    """The root element described by ``document``: ``{root_name: value}``."""
    if not isinstance(document, dict) or len(document) != 1:
        raise DataError("the value must be an object with exactly one key, the root element's name")
    [(name, value)] = document.items()
    if isinstance(value, list):
        raise DataError("a document has one root element; its value cannot be a list")
    root = Element(_check_name(name))
    _fill(root, value, 0)
    return root
