"""Make's math functions: sums, rounding, and numbers written as text."""

from __future__ import annotations

import math
import re
import statistics
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from scenarist.engine.functions_collections import items_of
from scenarist.engine.functions_text import text_arg
from scenarist.sdk import DataError

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_LONGEST_NUMBER = 400
"""Longest text read as a number by the operators (Python refuses huge integer texts)."""
NOT_A_NUMBER: Any = object()
"""What :func:`coerced` gives for a value that is not a number."""


def coerced(value: Any) -> Any:
    """``value`` as an operator's number: numbers and booleans stay, numeric text is parsed,
    anything else gives :data:`NOT_A_NUMBER`."""
    kind = type(value)
    if kind is int or kind is float or kind is bool:
        return value
    if kind is str and len(value) <= _LONGEST_NUMBER:
        text = value.strip()
        if _NUMBER.fullmatch(text):
            return int(text) if _INTEGER.fullmatch(text) else float(text)
    return NOT_A_NUMBER


def to_number(value: Any) -> int | float | None:
    """``value`` as a number: numbers stay, text is parsed, booleans are 1 or 0, null stays."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return _tidy(value)
    text = text_arg(value).strip()
    if not _NUMBER.fullmatch(text):
        raise DataError(f"{value!r} is not a number")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return float(text)


def _required(value: Any) -> int | float:
    number = to_number(value)
    if number is None:
        raise DataError("a number is required, got an empty value")
    return number


def _tidy(value: Decimal) -> int | float:
    """Whole numbers as int, others as float."""
    return int(value) if value == value.to_integral_value() else float(value)


def parse_number(text: Any, decimal_separator: Any = ".") -> int | float | None:
    """A number written as text with any thousands separator: ``"1.234,5"`` with ``","``."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return text
    separator = text_arg(decimal_separator) or "."
    kept = re.sub(rf"[^0-9\-{re.escape(separator)}]", "", text_arg(text))
    if kept in ("", "-"):
        return None
    try:
        return _tidy(Decimal(kept.replace(separator, ".")))
    except InvalidOperation as exc:
        raise DataError(f"{text!r} is not a number") from exc


def format_number(
    number: Any, decimals: Any = 0, decimal_separator: Any = ",", thousands_separator: Any = "."
) -> str:
    """``number`` rounded to ``decimals`` places, written as Make writes it: ``1.234,50``."""
    places = int(decimals or 0)
    if not 0 <= places <= 100:
        raise DataError("decimals must be between 0 and 100")
    rounded = Decimal(str(_required(number))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    whole, _, fraction = f"{rounded:,.{places}f}".partition(".")
    whole = whole.replace(",", text_arg(thousands_separator))
    return whole + (text_arg(decimal_separator) + fraction if fraction else "")


def _numbers(values: tuple[Any, ...]) -> list[int | float]:
    flat: list[Any] = []
    for value in values:
        flat.extend(items_of(value))
    return [_required(v) for v in flat if v is not None and v != ""]


def sum_(*values: Any) -> int | float:
    """The sum of the numbers given, or of the numbers in the arrays given."""
    return sum(_numbers(values))


def average(*values: Any) -> float | None:
    """The mean of the numbers given (or of arrays of them); null for none."""
    numbers = _numbers(values)
    return sum(numbers) / len(numbers) if numbers else None


def min_(*values: Any) -> int | float | None:
    """The smallest of the numbers given (or in arrays); null for none."""
    numbers = _numbers(values)
    return min(numbers) if numbers else None


def max_(*values: Any) -> int | float | None:
    """The largest of the numbers given (or in arrays); null for none."""
    numbers = _numbers(values)
    return max(numbers) if numbers else None


def round_(number: Any, digits: Any = 0) -> int | float:
    """``number`` rounded half away from zero to ``digits`` places (an int for 0 places)."""
    value = _required(number)
    if isinstance(value, float) and not math.isfinite(value):
        raise DataError(f"{value} cannot be rounded")
    places = int(digits or 0)
    if not -100 <= places <= 100:
        raise DataError("digits must be between -100 and 100")
    result = Decimal(str(value)).quantize(Decimal(1).scaleb(-max(places, 0)), ROUND_HALF_UP)
    if places < 0:
        step = Decimal(10) ** -places
        result = (Decimal(str(value)) / step).quantize(Decimal(1), ROUND_HALF_UP) * step
    return int(result) if places <= 0 else float(result)


def floor(number: Any) -> int:
    """The largest whole number not above ``number``."""
    return math.floor(_required(number))


def ceil(number: Any) -> int:
    """The smallest whole number not below ``number``."""
    return math.ceil(_required(number))


def trunc(number: Any, digits: Any = 0) -> int | float:
    """``number`` cut toward zero to ``digits`` places (an int for 0 places)."""
    value = _required(number)
    if isinstance(value, float) and not math.isfinite(value):
        raise DataError(f"{value} cannot be truncated")
    places = int(digits or 0)
    if not 0 <= places <= 100:
        raise DataError("digits must be between 0 and 100")
    result = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_DOWN)
    return int(result) if places == 0 else float(result)


def abs_(number: Any) -> int | float:
    """The absolute value of ``number``."""
    return abs(_required(number))


def median(*values: Any) -> int | float | None:
    """The middle of the numbers given (or in arrays), the mean of the two middle ones for an
    even count; null for none."""
    numbers = _numbers(values)
    return statistics.median(numbers) if numbers else None


def stdev_population(*values: Any) -> float | None:
    """The population standard deviation of the numbers given (or in arrays); null for none."""
    numbers = _numbers(values)
    return statistics.pstdev(numbers) if numbers else None


def stdev_sample(*values: Any) -> float | None:
    """The sample standard deviation of the numbers given (or in arrays); null for fewer than two."""
    numbers = _numbers(values)
    return statistics.stdev(numbers) if len(numbers) > 1 else None


def loosely_equal(left: Any, right: Any) -> bool:
    """``left == right``, where a number equals numeric text of the same number (``7 == "7"``).

    Two texts compare as text (``"1.0"`` is not ``"1"``); booleans are not numbers here.
    """
    kinds = (type(left), type(right))
    if (kinds[0] is str and kinds[1] in (int, float)) or (kinds[1] is str and kinds[0] in (int, float)):
        a, b = coerced(left), coerced(right)
        return a is not NOT_A_NUMBER and b is not NOT_A_NUMBER and bool(a == b)
    return bool(left == right)
