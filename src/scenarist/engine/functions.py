"""Make's function library, under Make's names and in Make's argument order.

:func:`build_library` gives the functions; each is usable as a function
(``formatDate(x, "YYYY")``) and as a filter (``x | formatDate("YYYY")``):
a filter receives the piped value as its first argument. Some Jinja filter
names (``upper``, ``length``, ``default``, ``join``, ``sort``, ``map``,
``reverse``, ``abs``...) are given Make's meaning here, and they treat null
as empty. Make's keywords (:data:`KEYWORDS`: ``now``, ``pi``, ``space``...)
are values: the expression engine calls them where they are named.
``docs/functions.md`` documents every one, with examples that are tested.

    general     if (Jinja's ``a if c else b``) ifempty switch equal get pick omit
    math        abs average ceil floor formatNumber max median min parseNumber round
                stdevP stdevS sum trunc toNumber
    text        ascii base64 capitalize contains decodeURL encodeURL escapeHTML
                escapeMarkdown indexOf length lower md5 replace replaceEmojiCharacters
                sha1 sha256 sha512 split startcase stripHTML substring toBinary toString
                trim upper unbase64 join
    dates       formatDate parseDate addSeconds addMinutes addHours addDays addMonths
                addYears setSecond setMinute setHour setDay setDate setMonth setYear
                dateDifference
    arrays      add arrayDifference (arrayDiff) arrayIntersect contains deduplicate distinct first
                flatten join keys last length map merge remove reverse shuffle slice sort
                toArray toCollection
    keywords    now timestamp pi random uuid executionId emptystring emptyarray space
                tab newline nbsp carriagereturn null
    other       range default
"""

from __future__ import annotations

import math
import random
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
from scenarist.engine.scope import current_execution_id
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


def add_days(date: Any, days: Any) -> datetime:
    """``date`` moved by ``days`` (negative to go back), keeping the scenario zone's wall time."""
    return dates.add_days(date, float(num.to_number(days) or 0))


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


def _date_functions() -> Library:
    functions: Library = {
        "formatDate": dates.format_date,
        "parseDate": dates.parse_date,
        "addSeconds": _adder("seconds"),
        "addMinutes": _adder("minutes"),
        "addHours": _adder("hours"),
        "addDays": add_days,
        "addMonths": add_months,
        "addYears": add_years,
        "setSecond": dates.set_second,
        "setMinute": dates.set_minute,
        "setHour": dates.set_hour,
        "setDay": dates.set_day,
        "setDate": dates.set_date,
        "setMonth": dates.set_month,
        "setYear": dates.set_year,
        "dateDifference": dates.date_difference,
    }
    return {name: _empty_stays_empty(f) for name, f in functions.items()}


KEYWORDS = frozenset({
    "now", "timestamp", "pi", "random", "uuid", "executionId", "emptystring", "emptyarray",
    "space", "tab", "newline", "nbsp", "carriagereturn", "null",
})  # fmt: skip
"""Names that are values: ``{{ now }}`` is the current date, ``{{ space }}`` one space."""


def _keywords(clock: Clock) -> Library:
    """Make's keywords, each a function of no argument giving its value."""
    return {
        "now": clock.now, "timestamp": lambda: int(clock.now().timestamp()),
        "pi": lambda: math.pi, "random": random.random, "uuid": new_uuid,
        "executionId": current_execution_id, "emptystring": lambda: "", "emptyarray": lambda: [],
        "space": lambda: " ", "tab": lambda: "\t", "newline": lambda: "\n", "nbsp": lambda: "\u00a0",
        "carriagereturn": lambda: "\r", "null": lambda: None,
    }  # fmt: skip


def switch(expression: Any, *cases: Any) -> Any:
    """Make's switch: ``(expression; value1; result1; [value2; result2; ...]; [else])``.

    The result after the first value equal to ``expression`` (numeric text equals its
    number), else the last argument when the count leaves one over, else null.
    """
    for index in range(0, len(cases) - 1, 2):
        if num.loosely_equal(expression, cases[index]):
            return cases[index + 1]
    return cases[-1] if len(cases) % 2 else None


def equal(first: Any, second: Any) -> bool:
    """Whether two values are equal, as ``==`` compares them (``7`` equals ``"7"``)."""
    return num.loosely_equal(first, second)


def _text_functions(limit: int) -> Library:
    return {
        "upper": text.upper, "lower": text.lower, "capitalize": text.capitalize,
        "trim": text.trim, "toString": text.to_string, "string": text.to_string,
        "replace": partial(text.replace, limit), "split": text.split,
        "join": partial(text.join, limit), "format": partial(_format, limit),
        "md5": text.md5, "sha1": text.sha1, "sha256": text.sha256, "sha512": text.sha512,
        "base64": text.base64, "unbase64": text.unbase64, "toBinary": text.to_binary,
        "encodeURL": text.encode_url, "decodeURL": text.decode_url,
        "escapeHTML": text.escape_html, "stripHTML": text.strip_html,
        "escapeMarkdown": text.escape_markdown, "ascii": text.ascii_, "indexOf": text.index_of,
        "startcase": text.startcase, "substring": text.substring,
        "replaceEmojiCharacters": partial(text.replace_emoji_characters, limit),
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
        "add": coll.add, "remove": coll.remove, "reverse": coll.reverse, "shuffle": coll.shuffle,
        "arrayDifference": coll.array_difference, "arrayDiff": coll.array_difference,
        "arrayIntersect": coll.array_intersect,
        "switch": switch, "equal": equal,
    }  # fmt: skip


def _number_functions() -> Library:
    return {
        "toNumber": num.to_number, "parseNumber": num.parse_number,
        "formatNumber": num.format_number, "sum": num.sum_, "average": num.average,
        "min": num.min_, "max": num.max_, "round": num.round_, "floor": num.floor,
        "ceil": num.ceil, "trunc": num.trunc, "abs": num.abs_, "median": num.median,
        "stdevP": num.stdev_population, "stdevS": num.stdev_sample,
    }  # fmt: skip


def build_library(clock: Clock, limit: int) -> Library:
    """Make's functions by name; ``limit`` bounds the text that join/replace/format make."""
    return {
        **_text_functions(limit),
        **_collection_functions(),
        **_number_functions(),
        **_date_functions(),
        **_keywords(clock),
        "range": safe_range,
        "default": default,
        "d": default,
    }


TESTS: Library = {"defined": is_defined, "undefined": lambda value: not is_defined(value)}
"""Jinja tests given Make's meaning of empty."""
