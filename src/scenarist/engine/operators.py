"""Make's coercion in the operators of expressions.

Text holding a number takes part in arithmetic and comparisons as that number:
``"12" * 2`` is 24, ``"150" > 100`` is true, ``"7" == 7`` is true. ``+`` with
text that is not a number joins both sides as text (``"a" + 1`` is ``"a1"``);
two numeric texts add up (``"12" + "3"`` is 15), so ``~`` is the operator that
always joins text. A date compared with text compares with the date the text
means (``now > "2024-01-01"``). Compiled expressions compute two numbers inline
and call these functions (through :class:`~scenarist.engine.functions_guards.Guards`
for the operators that can grow values) only when an operand is not a number.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from scenarist.engine import deadlines
from scenarist.engine.dates import to_datetime
from scenarist.engine.functions_numbers import NOT_A_NUMBER, coerced

NUMBER_TYPES = frozenset({int, float})
"""The types computed inline (booleans are not among them)."""


def _late_check(deadline: float) -> None:
    if time.monotonic() > deadline:
        deadlines.check(deadline)


def numbers_of(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Both operands as numbers when both are numbers or numeric text, else None."""
    a = coerced(left)
    if a is NOT_A_NUMBER:
        return None
    b = coerced(right)
    return None if b is NOT_A_NUMBER else (a, b)


def _operands(left: Any, right: Any) -> tuple[Any, Any]:
    """The operands of an arithmetic operator or an order comparison: numbers if both can be."""
    numbers = numbers_of(left, right)
    return (left, right) if numbers is None else numbers


def subtract(deadline: float, left: Any, right: Any) -> Any:
    """``left - right`` with numeric text as numbers."""
    _late_check(deadline)
    a, b = _operands(left, right)
    return a - b


def divide(deadline: float, left: Any, right: Any) -> Any:
    """``left / right`` with numeric text as numbers."""
    _late_check(deadline)
    a, b = _operands(left, right)
    return a / b


def floor_divide(deadline: float, left: Any, right: Any) -> Any:
    """``left // right`` with numeric text as numbers."""
    _late_check(deadline)
    a, b = _operands(left, right)
    return a // b


def negate(value: Any) -> Any:
    """``-value`` with numeric text as a number."""
    number = coerced(value)
    return -(value if number is NOT_A_NUMBER else number)


def _compared(left: Any, right: Any) -> tuple[Any, Any]:
    """The operands of an order comparison: numbers if both can be; a date and text as dates."""
    numbers = numbers_of(left, right)
    if numbers is not None:
        return numbers
    if isinstance(left, datetime) and isinstance(right, str):
        return left, to_datetime(right)
    if isinstance(right, datetime) and isinstance(left, str):
        return to_datetime(left), right
    return left, right


def greater(left: Any, right: Any) -> bool:
    """``left > right`` with numeric text as numbers."""
    a, b = _compared(left, right)
    return bool(a > b)


def greater_or_equal(left: Any, right: Any) -> bool:
    """``left >= right`` with numeric text as numbers."""
    a, b = _compared(left, right)
    return bool(a >= b)


def less(left: Any, right: Any) -> bool:
    """``left < right`` with numeric text as numbers."""
    a, b = _compared(left, right)
    return bool(a < b)


def less_or_equal(left: Any, right: Any) -> bool:
    """``left <= right`` with numeric text as numbers."""
    a, b = _compared(left, right)
    return bool(a <= b)
