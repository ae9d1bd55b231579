"""Filter conditions, in both forms a scenario writes them.

``{"condition": expr}`` holds when the expression's value is truthy (text
``""``, ``"false"``, ``"0"``, ``"no"`` and ``"null"`` are false).
``{"conditions": [[{"a", "o", "b"?}, ...], ...]}`` is Make's form: every row of
a group holds (AND) in at least one group (OR). ``a`` and ``b`` are values
with expressions; ``o`` is one of :data:`OPERATORS`, by Make's names:

- ``exist``/``notexist``: ``a`` is neither missing nor null (0, false and ""
  exist).
- ``text:*``: both sides as text (null is "", numbers and booleans as
  written); ``:ci`` folds case; ``pattern`` is a regular expression searched
  in ``a``.
- ``number:*``: both sides as numbers (numeric text counts); null on either
  side is equal only to null and never greater or less.
- ``datetime:*``: ISO-8601 text (no zone means UTC) or epoch milliseconds.
- ``time:*``: the time of day, from ``HH:mm[:ss]`` text or a date (in UTC).
- ``array:contains``/``notcontains``: ``b`` is an element of ``a`` (``:ci``
  folds the case of text); ``array:equal``, ``greater``, ... compare the
  length of ``a`` with the number ``b``. Null is the empty array.
- ``boolean:*``: true, false, ``"true"``, ``"false"``, 1 and 0; null is false.

Comparing an object or an array with text or a number, text that is no
number with a number, and the like raise ``DataError``: the filter's step
fails with it. Everything here is pure; :func:`compile_test` compiles a
filter once per plan.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from scenarist.engine import patterns
from scenarist.engine.dates import to_datetime
from scenarist.engine.expressions import Compiled, ExpressionEngine
from scenarist.engine.functions_numbers import to_number
from scenarist.engine.model import Condition
from scenarist.sdk import DataError

__all__ = [
    "OPERATORS",
    "Test",
    "compile_test",
    "holds",
    "operator_problem",
    "pattern_problem",
    "truthy",
]

Operator = Callable[[Any, Any], bool]
_FALSE_TEXT = frozenset({"", "false", "0", "no", "null"})
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?")
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "equal": operator.eq, "notequal": operator.ne, "greater": operator.gt, "greaterorequal": operator.ge,
    "less": operator.lt, "lessorequal": operator.le,
}  # fmt: skip
_MOMENTS = {"equal": "equal", "notequal": "notequal", "after": "greater", "afterorequal": "greaterorequal",
            "before": "less", "beforeorequal": "lessorequal"}  # fmt: skip


def truthy(value: Any) -> bool:
    """An expression condition's value as a yes or no."""
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE_TEXT
    return bool(value)


def _kind(value: Any) -> str:
    return "an object" if isinstance(value, dict) else "an array"


# -- coercions -----------------------------------------------------------------


def _text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if kind is float and value.is_integer():
        return str(int(value))
    if kind is int or kind is float:
        return str(value)
    if isinstance(value, dict | list):
        raise DataError(f"cannot compare {_kind(value)} with text")
    return str(value)


def _number(value: Any) -> int | float | None:
    if isinstance(value, dict | list):
        raise DataError(f"cannot compare {_kind(value)} with a number")
    return to_number(value)


def _moment(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dict | list):
        raise DataError(f"cannot compare {_kind(value)} with a date")
    return to_datetime(value)


def _time_of_day(value: Any) -> float | None:
    if isinstance(value, str) and (match := _TIME.fullmatch(value.strip())):
        hours, minutes, seconds, fraction = match.groups()
        if int(hours) > 23 or int(minutes) > 59 or int(seconds or 0) > 59:
            raise DataError(f"{value!r} is not a time of day")
        return int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0) + float(fraction or 0)
    moment = _moment(value)
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


def _array(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    kind = "an object" if isinstance(value, dict) else "text" if isinstance(value, str) else repr(value)
    raise DataError(f"array operators need an array, not {kind}")


def _boolean(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    if isinstance(value, dict | list):
        raise DataError(f"cannot compare {_kind(value)} with a boolean")
    raise DataError(f"{value!r} is not a boolean")


# -- operators -------------------------------------------------------------------


def _ordered(compare: Callable[[Any, Any], bool], name: str) -> Callable[[Any, Any], bool]:
    """``compare`` where a null side is equal only to null and never greater or less."""

    def check(a: Any, b: Any) -> bool:
        if a is None or b is None:
            both = a is None and b is None
            return both if name == "equal" else not both if name == "notequal" else False
        return compare(a, b)

    return check


def _text_operators() -> dict[str, Operator]:
    tests: dict[str, Callable[[str, str], bool]] = {
        "equal": operator.eq, "contains": lambda a, b: b in a,
        "startswith": str.startswith, "endswith": str.endswith,
    }  # fmt: skip
    found: dict[str, Operator] = {}
    for name, test in tests.items():
        found[f"text:{name}"] = _on_text(test, fold=False, negate=False)
        found[f"text:{name}:ci"] = _on_text(test, fold=True, negate=False)
    for name in ("equal", "contains"):
        found[f"text:not{name}"] = _on_text(tests[name], fold=False, negate=True)
        found[f"text:not{name}:ci"] = _on_text(tests[name], fold=True, negate=True)
    found["text:pattern"] = lambda a, b: _search(b, a, 0)
    found["text:pattern:ci"] = lambda a, b: _search(b, a, re.IGNORECASE)
    found["text:notpattern"] = lambda a, b: not _search(b, a, 0)
    return found


def _on_text(test: Callable[[str, str], bool], *, fold: bool, negate: bool) -> Operator:
    def check(a: Any, b: Any) -> bool:
        left, right = _text(a), _text(b)
        if fold:
            left, right = left.casefold(), right.casefold()
        return test(left, right) is not negate

    return check


def _search(pattern: Any, value: Any, flags: int) -> bool:
    return patterns.search(_text(pattern), _text(value), flags)


def _compared(prefix: str, names: Mapping[str, str], coerce: Callable[[Any], Any]) -> dict[str, Operator]:
    found: dict[str, Operator] = {}
    for name, base in names.items():
        found[f"{prefix}:{name}"] = _coerced(_ordered(_ORDER[base], base), coerce, coerce)
    return found


def _coerced(check: Callable[[Any, Any], bool], left: Callable[[Any], Any], right: Callable[[Any], Any]) -> Operator:
    def coerced(a: Any, b: Any) -> bool:
        return check(left(a), right(b))

    return coerced


def _same(item: Any, wanted: Any, fold: bool) -> bool:
    if item == wanted and (type(item) is bool) == (type(wanted) is bool):
        return True
    if isinstance(item, dict | list) or isinstance(wanted, dict | list) or item is None or wanted is None:
        return bool(item == wanted)
    left, right = _text(item), _text(wanted)
    return left.casefold() == right.casefold() if fold else left == right


def _array_operators() -> dict[str, Operator]:
    found: dict[str, Operator] = {
        "array:contains": lambda a, b: any(_same(item, b, False) for item in _array(a)),
        "array:contains:ci": lambda a, b: any(_same(item, b, True) for item in _array(a)),
        "array:notcontains": lambda a, b: not any(_same(item, b, False) for item in _array(a)),
    }
    for name in _ORDER:
        found[f"array:{name}"] = _coerced(_ordered(_ORDER[name], name), _length, _number)
    return found


def _length(value: Any) -> int:
    return len(_array(value))


OPERATORS: dict[str, Operator] = {
    "exist": lambda a, b: a is not None,
    "notexist": lambda a, b: a is None,
    **_text_operators(),
    **_compared("number", {name: name for name in _ORDER}, _number),
    **_compared("datetime", _MOMENTS, _moment),
    **_compared("time", _MOMENTS, _time_of_day),
    **_array_operators(),
    "boolean:equal": lambda a, b: _boolean(a) == _boolean(b),
    "boolean:notequal": lambda a, b: _boolean(a) != _boolean(b),
}
"""Every operator by Make's name: ``(a, b) -> bool``, raising ``DataError`` for values it cannot compare."""

UNARY = frozenset({"exist", "notexist"})
"""The operators that take no ``b``."""
PATTERNS = frozenset({"text:pattern", "text:pattern:ci", "text:notpattern"})
"""The operators whose ``b`` is a regular expression."""


def holds(name: str, a: Any, b: Any = None) -> bool:
    """Whether ``a o b`` holds, for the operator called ``name``."""
    return OPERATORS[name](a, b)


def operator_problem(name: str) -> str | None:
    """What is wrong with the operator name, or None when it is one."""
    if name in OPERATORS:
        return None
    close = difflib.get_close_matches(name, OPERATORS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown operator {name!r}{hint}; operators are Make's: exist, notexist, text:*, number:*, " \
        "datetime:*, time:*, array:*, boolean:*"


def pattern_problem(pattern: str) -> str | None:
    """What is wrong with a constant regular expression, or None."""
    return patterns.problem(pattern)


# -- compiled filters --------------------------------------------------------------


class Test(Protocol):
    """A filter compiled once per plan."""

    def holds(self, context: Mapping[str, Any]) -> bool:
        """Whether the bundle in ``context`` passes; DataError when the filter cannot be evaluated."""
        ...


class _ExpressionTest:
    __slots__ = ("_compiled", "_path")

    def __init__(self, compiled: Compiled, path: str) -> None:
        self._compiled = compiled
        self._path = path

    def holds(self, context: Mapping[str, Any]) -> bool:
        try:
            return truthy(self._compiled.evaluate(context))
        except DataError as exc:
            raise DataError(f"{self._path}: {exc.message}") from None


class _Row:
    __slots__ = ("_a", "_b", "_name", "_operator", "_path")

    def __init__(self, a: Compiled, name: str, b: Compiled, path: str) -> None:
        self._a, self._b, self._name, self._path = a, b, name, path
        self._operator = OPERATORS[name]

    def holds(self, context: Mapping[str, Any]) -> bool:
        try:
            a = self._a.evaluate(context)
        except DataError as exc:
            raise DataError(f"{self._path}.a: {exc.message}") from None
        try:
            b = self._b.evaluate(context)
        except DataError as exc:
            raise DataError(f"{self._path}.b: {exc.message}") from None
        try:
            return self._operator(a, b)
        except DataError as exc:
            raise DataError(f"{self._path} ({self._name}): {exc.message}") from None


class _RowsTest:
    __slots__ = ("_groups",)

    def __init__(self, groups: tuple[tuple[_Row, ...], ...]) -> None:
        self._groups = groups

    def holds(self, context: Mapping[str, Any]) -> bool:
        for group in self._groups:
            for row in group:
                if not row.holds(context):
                    break
            else:
                return True
        return False


def compile_test(
    condition: Any, conditions: list[list[Condition]] | None, path: str, expressions: ExpressionEngine
) -> Test:
    """The filter whose ``condition`` or ``conditions`` stand at ``path`` (``flow[1].filter``), compiled."""
    if conditions is None:
        return _ExpressionTest(expressions.compile(condition), f"{path}.condition")
    groups = tuple(
        tuple(
            _Row(expressions.compile(row.a), row.o, expressions.compile(row.b), f"{path}.conditions[{i}][{j}]")
            for j, row in enumerate(group)
        )
        for i, group in enumerate(conditions)
    )
    return _RowsTest(groups)
