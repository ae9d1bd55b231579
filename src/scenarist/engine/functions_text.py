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
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

from jinja2 import Undefined

from scenarist.engine import patterns
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


_DIGEST_ENCODINGS = ("hex", "base64", "latin1", "binary")
_KEY_ENCODINGS = ("text", "hex", "base64", "binary")


def _data(value: Any) -> bytes:
    """Text as UTF-8, binary data as it is."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return text_arg(value).encode()


def _key_bytes(key: Any, encoding: str) -> bytes:
    if isinstance(key, bytes | bytearray):
        return bytes(key)
    text = text_arg(key)
    try:
        if encoding == "hex":
            return bytes.fromhex(text)
        if encoding == "base64":
            return _base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise DataError(f"the key is not {encoding}") from exc
    return text.encode("latin-1", "replace") if encoding == "binary" else text.encode()


def _choice(value: Any, allowed: tuple[str, ...], what: str) -> str:
    name = allowed[0] if value is None or value == "" else text_arg(value).strip().lower()
    if name not in allowed:
        raise DataError(f"{what} must be {', '.join(allowed[:-1])} or {allowed[-1]}, not {value!r}")
    return name


def _digest(name: str, text: Any, encoding: Any, key: Any, key_encoding: Any) -> str:
    """Make's hash functions: ``(text; [encoding]; [key]; [key encoding])``; HMAC with a key."""
    try:
        output = _choice(encoding, _DIGEST_ENCODINGS, "the encoding")
    except DataError as exc:
        raise DataError(f"{exc.message} (a key is the third argument: {name}(text, 'hex', key))") from None
    keyed = _choice(key_encoding, _KEY_ENCODINGS, "the key encoding")
    data = _data(text)
    if key is None or key == "" or key == b"":
        digest = hashlib.new(name, data).digest()
    else:
        digest = hmac.new(_key_bytes(key, keyed), data, name).digest()
    if output == "hex":
        return digest.hex()
    if output == "base64":
        return _base64.b64encode(digest).decode("ascii")
    return digest.decode("latin-1")


def md5(text: Any, encoding: Any = None, key: Any = None, key_encoding: Any = None) -> str:
    """The MD5 digest of ``text`` in ``encoding`` (hex); HMAC-MD5 with ``key``."""
    return _digest("md5", text, encoding, key, key_encoding)


def sha1(text: Any, encoding: Any = None, key: Any = None, key_encoding: Any = None) -> str:
    """The SHA-1 digest of ``text`` in ``encoding`` (hex); HMAC-SHA1 with ``key``."""
    return _digest("sha1", text, encoding, key, key_encoding)


def sha256(text: Any, encoding: Any = None, key: Any = None, key_encoding: Any = None) -> str:
    """The SHA-256 digest of ``text`` in ``encoding`` (hex); HMAC-SHA256 with ``key``."""
    return _digest("sha256", text, encoding, key, key_encoding)


def sha512(text: Any, encoding: Any = None, key: Any = None, key_encoding: Any = None) -> str:
    """The SHA-512 digest of ``text`` in ``encoding`` (hex); HMAC-SHA512 with ``key``."""
    return _digest("sha512", text, encoding, key, key_encoding)


def to_binary(value: Any, encoding: Any = None) -> bytes:
    """``value`` as binary data: text as UTF-8, or decoded from ``hex``, ``base64`` or
    ``binary`` (Latin-1) text; binary data stays."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    text = text_arg(value)
    name = _choice(encoding, ("utf8", "utf-8", "hex", "base64", "binary", "latin1"), "the encoding")
    try:
        if name == "hex":
            return bytes.fromhex(text)
        if name == "base64":
            return _base64.b64decode(text, validate=False)
    except ValueError as exc:
        raise DataError(f"{_short(text)!r} is not {name}") from exc
    return text.encode("latin-1", "replace") if name in ("binary", "latin1") else text.encode()


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "..."


def ascii_(text: Any, remove_diacritics: Any = False) -> str:
    """``text`` without its non-ASCII characters; with ``remove_diacritics``, accented letters
    lose their accents first (``é`` becomes ``e``)."""
    value = text_arg(text)
    if remove_diacritics:
        value = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    return value.encode("ascii", "ignore").decode("ascii")


def index_of(text: Any, value: Any, start: Any = 0) -> int:
    """Where ``value`` first occurs in ``text`` (from ``start``), 0-based; -1 when absent.
    In an array, the position of the first item equal to ``value``."""
    begin = int(start or 0)
    if isinstance(text, list | tuple):
        for index in range(max(begin, 0), len(text)):
            if text[index] == value:
                return index
        return -1
    return text_arg(text).find(text_arg(value), max(begin, 0))


_WORD = re.compile(r"\S+")


def startcase(text: Any) -> str:
    """Every word of ``text`` with a capital first letter and small letters after it."""
    return _WORD.sub(lambda m: m.group()[:1].upper() + m.group()[1:].lower(), text_arg(text))


def substring(text: Any, start: Any = 0, end: Any = None) -> str:
    """The characters of ``text`` from ``start`` up to, not including, ``end`` (0-based).

    As JavaScript's ``substring``: negative positions count as 0, positions past the end as
    the end, and ``start`` after ``end`` swaps them."""
    value = text_arg(text)
    size = len(value)
    first = min(max(int(start or 0), 0), size)
    last = size if end is None else min(max(int(end), 0), size)
    return value[min(first, last) : max(first, last)]


_EMOJI = (
    "\U0001F000-\U0001F1E5\U0001F200-\U0001FAFF\u2600-\u27BF\u231A\u231B\u23E9-\u23FA"
    "\u2B05-\u2B07\u2B1B\u2B1C\u2B50\u2B55\u203C\u2049\u3030\u303D\u3297\u3299"
)
"""Emoji code points (pictographs, dingbats, symbols that are emoji by default); not ``©``,
``®`` or arrows, which are mostly written as text."""
_EMOJI_MODIFIERS = "\uFE0F\uFE0E\u20E3\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F"
_EMOJI_SEQUENCE = re.compile(
    rf"[\U0001F1E6-\U0001F1FF]{{1,2}}"  # a flag: two regional indicators
    rf"|[{_EMOJI}][{_EMOJI_MODIFIERS}]*(?:\u200D[{_EMOJI}][{_EMOJI_MODIFIERS}]*)*"
    rf"|[0-9#*]\uFE0F?\u20E3"
)


def replace_emoji_characters(limit: int, text: Any, replacement: Any = "") -> str:
    """``text`` with each emoji (a whole sequence: skin tone, joined family, flag) replaced by
    ``replacement``; refused when the result would pass ``limit`` characters."""
    value, new = text_arg(text), text_arg(replacement)
    if new:
        _check_size(limit, len(value) + len(_EMOJI_SEQUENCE.findall(value)) * len(new))
    return _EMOJI_SEQUENCE.sub(lambda _: new, value)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~])")


def escape_markdown(text: Any) -> str:
    """``text`` with Markdown's special characters (``\\ ` * _ { } [ ] < > ( ) # + - . ! | ~``)
    escaped by a backslash, so that it shows as written."""
    return _MARKDOWN.sub(r"\\\1", text_arg(text))


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
    regex = patterns.compiled(pattern.group(1), flags)
    total = [len(value)]

    def expand(match: Any) -> str:
        def group(ref: re.Match[str]) -> str:
            name = ref.group(1)
            if name == "&":
                return str(match.group(0))
            return str(match.group(int(name)) or "") if int(name) <= regex.groups else ref.group(0)

        result = _GROUP_REF.sub(group, new)
        total[0] += len(result)
        _check_size(limit, total[0])
        return result

    return patterns.substitute(regex, expand, value, count=0 if "g" in pattern.group(2) else 1)


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
