"""Make's text functions, and how any value becomes JSON or text.

Every function treats ``None`` (Make's empty value) as empty text.
"""

from __future__ import annotations

import base64 as _base64
import hashlib
import hmac
import html
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

from jinja2 import Undefined

from scenarist.engine.dates import iso_utc
from scenarist.sdk import DataError

MAX_ITEMS = 100_000
"""Most items an iterator (a Jinja generator, a range) may turn into."""


def to_json_value(value: Any) -> Any:
    """``value`` as pure JSON: datetimes as ISO text in UTC, tuples and iterators as lists."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {_key(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_value(item) for item in value]
    return _to_json_other(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return str(key)
    return to_text(key)


def _to_json_other(value: Any) -> Any:
    if isinstance(value, Undefined):
        return None
    if isinstance(value, str | int):  # str and int subclasses: Markup, enums
        return str(value) if isinstance(value, str) else int(value)
    if isinstance(value, float | Decimal):
        return to_json_value(float(value))
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, set | frozenset | range | Iterator):
        return [to_json_value(item) for item in bounded(value)]
    raise DataError(f"the result is a {type(value).__name__}, which is not a JSON value")


def bounded(items: Iterable[Any], limit: int = MAX_ITEMS) -> list[Any]:
    """``items`` as a list, refusing more than ``limit`` of them."""
    result: list[Any] = []
    for item in items:
        if len(result) >= limit:
            raise DataError(f"more than {limit} items")
        result.append(item)
    return result


def to_text(value: Any) -> str:
    """``value`` as text: empty for null, compact JSON for objects and arrays.

    Whole floats are written without ``.0``, as Make (JavaScript) writes them.
    """
    if type(value) is str:
        return value
    value = to_json_value(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))  # as JavaScript writes it: 5.0 is "5"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def text_arg(value: Any) -> str:
    """A function argument as text (null is empty)."""
    return value if type(value) is str else to_text(value)


def upper(text: Any) -> str:
    """``text`` in capitals."""
    return text_arg(text).upper()


def lower(text: Any) -> str:
    """``text`` in small letters."""
    return text_arg(text).lower()


def capitalize(text: Any) -> str:
    """``text`` with its first character in capitals; the rest is kept (Make)."""
    value = text_arg(text)
    return value[:1].upper() + value[1:]


def trim(text: Any, chars: Any = None) -> str:
    """``text`` without surrounding whitespace (or ``chars``)."""
    return text_arg(text).strip(None if chars is None else text_arg(chars))


def to_string(value: Any) -> str:
    """``value`` as text (objects and arrays as compact JSON)."""
    return to_text(value)


def base64(text: Any) -> str:
    """``text`` (UTF-8) encoded in Base64."""
    data = text if isinstance(text, bytes) else text_arg(text).encode()
    return _base64.b64encode(data).decode("ascii")


def unbase64(text: Any) -> str:
    """Base64 ``text`` decoded to UTF-8 text."""
    try:
        return _base64.b64decode(text_arg(text), validate=False).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{text!r} is not Base64 of UTF-8 text") from exc


def encode_url(text: Any) -> str:
    """``text`` percent-encoded for a URL component (like ``encodeURIComponent``)."""
    return quote(text_arg(text), safe="-_.!~*'()")


def decode_url(text: Any) -> str:
    """Percent-encoded ``text`` decoded."""
    return unquote(text_arg(text))


def escape_html(text: Any) -> str:
    """``text`` with the HTML special characters escaped."""
    return html.escape(text_arg(text))


_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)


def strip_html(text: Any) -> str:
    """``text`` without HTML tags (entities are decoded)."""
    return html.unescape(_TAG.sub("", text_arg(text)))


def _digest(name: str, text: Any, key: Any) -> str:
    data = text_arg(text).encode()
    if key is None or key == "":
        return hashlib.new(name, data).hexdigest()
    return hmac.new(text_arg(key).encode(), data, name).hexdigest()


def md5(text: Any, key: Any = None) -> str:
    """The MD5 hex digest of ``text`` (HMAC-MD5 with ``key``)."""
    return _digest("md5", text, key)


def sha1(text: Any, key: Any = None) -> str:
    """The SHA-1 hex digest of ``text`` (HMAC with ``key``)."""
    return _digest("sha1", text, key)


def sha256(text: Any, key: Any = None) -> str:
    """The SHA-256 hex digest of ``text`` (HMAC with ``key``)."""
    return _digest("sha256", text, key)


def sha512(text: Any, key: Any = None) -> str:
    """The SHA-512 hex digest of ``text`` (HMAC with ``key``)."""
    return _digest("sha512", text, key)


_REGEX = re.compile(r"/(.*)/([gimsux]*)", re.DOTALL)
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "u": 0, "x": re.VERBOSE}


def replace(limit: int, text: Any, search: Any, replacement: Any) -> str:
    """Make's replace: ``search`` as ``/pattern/flags`` is a regex (``$1`` groups), else text.

    A regex without the ``g`` flag replaces the first match only, like Make.
    """
    value, new = text_arg(text), text_arg(replacement)
    pattern = _REGEX.fullmatch(search) if isinstance(search, str) else None
    if pattern is None:
        old = text_arg(search)
        _check_size(limit, len(value) + (value.count(old)) * (len(new) - len(old)))
        return value.replace(old, new)
    flags = 0
    for flag in pattern.group(2):
        flags |= _FLAGS.get(flag, 0)
    regex = re.compile(pattern.group(1), flags)
    total = [len(value)]

    def expand(match: re.Match[str]) -> str:
        def group(ref: re.Match[str]) -> str:
            name = ref.group(1)
            if name == "&":
                return match.group(0)
            return (match.group(int(name)) or "") if int(name) <= regex.groups else ref.group(0)

        result = _GROUP_REF.sub(group, new)
        total[0] += len(result)
        _check_size(limit, total[0])
        return result

    return regex.sub(expand, value, count=0 if "g" in pattern.group(2) else 1)


_GROUP_REF = re.compile(r"\$(\d+|&)")


def _check_size(limit: int, size: int) -> None:
    if size > limit:
        raise DataError(f"the result would be longer than {limit} characters")


def split(text: Any, separator: Any = ",") -> list[str]:
    """``text`` cut at every ``separator``."""
    value = text_arg(text)
    return value.split(text_arg(separator)) if separator != "" else list(value)


def join(limit: int, items: Any, separator: Any = "") -> str:
    """The items of an array as text, ``separator`` between them."""
    if items is None:
        return ""
    parts = [text_arg(item) for item in bounded(items)]
    sep = text_arg(separator)
    _check_size(limit, sum(map(len, parts)) + len(sep) * len(parts))
    return sep.join(parts)


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def percent_format(limit: int, fmt: str, args: Any) -> str:
    """``fmt % args``, refused when widths or the result would exceed ``limit`` characters."""
    for match in _PERCENT.finditer(fmt):
        for number in match.groups():
            if number == "*":
                raise DataError("'*' widths are not allowed in % formatting")
            if number and (len(number) > 9 or int(number) > limit):
                raise DataError(f"format width {number} is too large")
    values = args.values() if isinstance(args, Mapping) else args
    values = values if isinstance(values, tuple | type({}.values())) else (values,)
    widest = max((len(to_text(value)) for value in values), default=0)
    _check_size(limit, len(fmt) + fmt.count("%") * max(widest, 32))
    return str(fmt % args)
