"""Make's function library, under Make's names, for the expression engine.

:func:`build_library` gives the functions; each is usable as a function
(``formatDate(x, "YYYY")``) and as a filter (``x | formatDate("YYYY")``):
a filter receives the piped value as its first argument. Some Jinja filter
names (``upper``, ``length``, ``default``, ``join``, ``sort``, ``map``...)
are given Make's meaning here, and they treat null as empty.

    text        upper lower capitalize trim toString replace split join md5 sha1
                sha256 sha512 base64 unbase64 encodeURL decodeURL escapeHTML stripHTML
    arrays      map sort deduplicate distinct flatten first last slice merge contains
                length toArray
    objects     get pick omit keys toCollection ifempty
    numbers     toNumber parseNumber formatNumber sum average min max round floor ceil
    dates       now formatDate parseDate addSeconds addMinutes addHours addDays
                addMonths addYears
    other       uuid range
"""

from __future__ import annotations

import uuid as _uuid
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from jinja2 import Undefined

from scenarist.engine import dates
from scenarist.engine import functions_collections as coll
from scenarist.engine import functions_numbers as num
from scenarist.engine import functions_text as text
from scenarist.sdk import DataError
from scenarist.types import Clock

MAX_RANGE = 100_000
"""Most numbers ``range()`` may give."""

Library = dict[str, Callable[..., Any]]


def safe_range(*args: Any) -> range:
    """Python's range, refusing more than :data:`MAX_RANGE` numbers."""
    numbers = range(*(int(arg) for arg in args))
    if len(numbers) > MAX_RANGE:
        raise DataError(f"range() may give at most {MAX_RANGE} numbers")
    return numbers


def new_uuid() -> str:
    """A fresh random UUID (version 4), as text."""
    return str(_uuid.uuid4())


def default(value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    """Jinja's ``default``: ``default_value`` when ``value`` is null (or falsy with ``boolean``)."""
    if value is None or isinstance(value, Undefined) or (boolean and not value):
        return default_value
    return value


def is_defined(value: Any) -> bool:
    """Jinja's ``defined`` test, where null counts as undefined (Make's empty)."""
    return value is not None and not isinstance(value, Undefined)


def _adder(unit: str) -> Callable[[Any, Any], datetime]:
    def add(date: Any, amount: Any) -> datetime:
        return dates.add_delta(date, **{unit: float(num.to_number(amount) or 0)})

    add.__doc__ = f"``date`` moved by ``amount`` {unit} (negative to go back)."
    return add


def add_years(date: Any, years: Any) -> datetime:
    """``date`` moved by whole years; 29 February clamps to the 28th."""
    return dates.add_months(date, int(num.to_number(years) or 0) * 12)


def add_months(date: Any, months: Any) -> datetime:
    """``date`` moved by whole months; the day clamps to the month's end."""
    return dates.add_months(date, int(num.to_number(months) or 0))


def _empty_stays_empty(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, giving null when its first argument is empty (Make's way with dates)."""

    def wrapper(value: Any, *args: Any, **kwargs: Any) -> Any:
        if value is None or value == "" or isinstance(value, Undefined):
            return None
        return function(value, *args, **kwargs)

    wrapper.__doc__ = function.__doc__
    return wrapper


def _date_functions(clock: Clock) -> Library:
    functions: Library = {
        "formatDate": dates.format_date,
        "parseDate": dates.parse_date,
        "addSeconds": _adder("seconds"),
        "addMinutes": _adder("minutes"),
        "addHours": _adder("hours"),
        "addDays": _adder("days"),
        "addMonths": add_months,
        "addYears": add_years,
    }
    return {"now": clock.now} | {name: _empty_stays_empty(f) for name, f in functions.items()}


def _text_functions(limit: int) -> Library:
    return {
        "upper": text.upper, "lower": text.lower, "capitalize": text.capitalize,
        "trim": text.trim, "toString": text.to_string, "string": text.to_string,
        "replace": partial(text.replace, limit), "split": text.split,
        "join": partial(text.join, limit), "format": partial(_format, limit),
        "md5": text.md5, "sha1": text.sha1, "sha256": text.sha256, "sha512": text.sha512,
        "base64": text.base64, "unbase64": text.unbase64,
        "encodeURL": text.encode_url, "decodeURL": text.decode_url,
        "escapeHTML": text.escape_html, "stripHTML": text.strip_html,
    }  # fmt: skip


def _format(limit: int, fmt: Any, *args: Any, **kwargs: Any) -> str:
    """Jinja's ``format`` filter (``%`` formatting), with widths and size bounded."""
    return text.percent_format(limit, text.text_arg(fmt), kwargs or args)


def _collection_functions() -> Library:
    return {
        "ifempty": coll.ifempty, "get": coll.get, "pick": coll.pick, "omit": coll.omit,
        "map": coll.map_, "sort": coll.sort, "deduplicate": coll.deduplicate,
        "distinct": coll.distinct, "flatten": coll.flatten, "first": coll.first,
        "last": coll.last, "slice": coll.slice_, "keys": coll.keys, "merge": coll.merge,
        "contains": coll.contains, "toCollection": coll.to_collection,
        "toArray": coll.to_array, "length": coll.length, "count": coll.length,
    }  # fmt: skip


def _number_functions() -> Library:
    return {
        "toNumber": num.to_number, "parseNumber": num.parse_number,
        "formatNumber": num.format_number, "sum": num.sum_, "average": num.average,
        "min": num.min_, "max": num.max_, "round": num.round_, "floor": num.floor,
        "ceil": num.ceil,
    }  # fmt: skip


def build_library(clock: Clock, limit: int) -> Library:
    """Make's functions by name; ``limit`` bounds the text that join/replace/format make."""
    return {
        **_text_functions(limit),
        **_collection_functions(),
        **_number_functions(),
        **_date_functions(clock),
        "uuid": new_uuid,
        "range": safe_range,
        "default": default,
        "d": default,
    }


TESTS: Library = {"defined": is_defined, "undefined": lambda value: not is_defined(value)}
"""Jinja tests given Make's meaning of empty."""
