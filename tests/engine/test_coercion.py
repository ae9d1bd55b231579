"""Make's coercion in operators: text holding a number is that number in arithmetic and comparisons."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenarist.engine.expressions import ExpressionEngine, ExpressionError

ENGINE = ExpressionEngine()
OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}  # fmt: skip


def ev(expression: str, **context: Any) -> Any:
    return ENGINE.evaluate("{{ " + expression + " }}", context)


@given(st.integers(-10**9, 10**9), st.integers(-10**9, 10**9), st.sampled_from(sorted(OPERATORS)))
def test_numeric_text_on_the_left_acts_as_its_number(a: int, b: int, op: str) -> None:
    assert ev(f"a {op} b", a=str(a), b=b) == OPERATORS[op](a, b)


@given(st.integers(-10**9, 10**9), st.floats(-1e9, 1e9, allow_nan=False), st.sampled_from(sorted(OPERATORS)))
def test_numeric_text_on_the_right_acts_as_its_number(a: int, b: float, op: str) -> None:
    assert ev(f"a {op} b", a=a, b=repr(b)) == OPERATORS[op](a, b)


@given(st.integers(-10**6, 10**6), st.integers(-10**6, 10**6), st.sampled_from(sorted(OPERATORS)))
def test_numbers_compute_as_python_does(a: int, b: int, op: str) -> None:
    assert ev(f"a {op} b", a=a, b=b) == OPERATORS[op](a, b)


def test_a_webhook_total_sent_as_text_passes_a_numeric_filter() -> None:
    assert ev("hook.body.total > 100", hook={"body": {"total": "150"}}) is True


def test_numeric_text_times_a_number_multiplies() -> None:
    assert ev('"12" * 2') == 24


def test_numeric_text_plus_a_number_adds() -> None:
    assert ev('"12" + 3') == 15


def test_two_numeric_texts_add_up() -> None:
    assert ev('"1.5" + "2"') == 3.5


def test_text_that_is_not_a_number_joins_with_plus() -> None:
    assert ev('"Order " + n', n=12) == "Order 12"


def test_two_texts_join_with_plus() -> None:
    assert ev('"ab" + "cd"') == "abcd"


def test_tilde_always_joins_text() -> None:
    assert ev('"12" ~ 3') == "123"


def test_numeric_texts_compare_as_numbers() -> None:
    assert ev('"9" < "10"') is True


def test_texts_that_are_not_numbers_compare_as_text() -> None:
    assert ev('"apple" < "banana"') is True


def test_equal_texts_compare_as_text() -> None:
    assert ev('"1.0" == "1"') is False


def test_a_number_equals_its_text() -> None:
    assert ev('7 == " 7 "') is True


def test_a_number_is_not_equal_to_other_text() -> None:
    assert ev('7 != "seven"') is True


def test_text_with_spaces_around_a_number_is_a_number() -> None:
    assert ev('" 4 " * 2') == 8


def test_division_of_numeric_text() -> None:
    assert ev('"10" / "4"') == 2.5


def test_floor_division_and_modulo_of_numeric_text() -> None:
    assert ev('["17" // 5, "17" % 5]') == [3, 2]


def test_power_of_numeric_text() -> None:
    assert ev('"2" ** 10') == 1024


def test_negation_of_numeric_text() -> None:
    assert ev('-v', v="2.5") == -2.5


def test_percent_formatting_of_text_stays() -> None:
    assert ev('"%d items" % 3') == "3 items"


def test_repeating_text_that_is_not_a_number_stays() -> None:
    assert ev('"ab" * 3') == "ababab"


def test_arrays_still_join_with_plus() -> None:
    assert ev("[1] + [2]") == [1, 2]


def test_text_minus_a_number_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="unsupported operand"):
        ev('"abc" - 1')


def test_comparing_null_with_a_number_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="not supported"):
        ev("missing > 1")


@pytest.mark.parametrize(("value", "expected"), [(0, False), (2, True), (5, False), ("2", True)])
def test_a_chained_comparison_checks_each_pair(value: Any, expected: bool) -> None:
    assert ev("1 < v < 3", v=value) is expected


def test_a_chain_with_a_literal_in_the_middle() -> None:
    assert ev("v < 3 < w", v=1, w="4") is True


def test_a_huge_product_of_numbers_from_the_context_is_refused() -> None:
    with pytest.raises(ExpressionError, match="product is too large"):
        ev("x * x", x=1 << 40_000)


def test_a_product_of_numbers_close_to_the_limit_is_computed() -> None:
    assert ev("x * x", x=1 << 30_000) == 1 << 60_000


def test_text_repeated_past_the_limit_is_refused() -> None:
    with pytest.raises(ExpressionError, match="larger than"):
        ev('"ab" * n', n=10**9)


def test_huge_numeric_text_is_not_read_as_a_number() -> None:
    assert ev("t + 1", t="9" * 5000)[-2:] == "91"


def test_a_date_compares_with_iso_text() -> None:
    assert ev('parseDate("2024-03-05T10:00:00Z") < "2024-03-05T11:00:00+00:00"') is True


def test_a_number_in_the_context_equals_a_text_literal_of_it() -> None:
    assert ev('n == "5"', n=5) is True


def test_numeric_text_in_the_context_equals_a_number_literal() -> None:
    assert ev("n != 5", n="5.0") is False


def test_null_is_not_equal_to_a_text_literal() -> None:
    assert ev('missing == "paid"') is False
