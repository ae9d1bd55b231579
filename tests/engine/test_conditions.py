"""Make's filter operators, one by one (``engine.conditions`` is pure: no engine needed)."""

from __future__ import annotations

from typing import Any

import pytest

from scenarist.engine.conditions import OPERATORS, UNARY, holds, operator_problem, pattern_problem, truthy
from scenarist.sdk import DataError

CONTRACT_OPERATORS = {
    "exist", "notexist",
    "text:equal", "text:equal:ci", "text:notequal", "text:notequal:ci", "text:contains", "text:contains:ci",
    "text:notcontains", "text:notcontains:ci", "text:startswith", "text:startswith:ci", "text:endswith",
    "text:endswith:ci", "text:pattern", "text:pattern:ci", "text:notpattern",
    "number:equal", "number:notequal", "number:greater", "number:greaterorequal", "number:less",
    "number:lessorequal",
    "datetime:equal", "datetime:notequal", "datetime:before", "datetime:after", "datetime:beforeorequal",
    "datetime:afterorequal",
    "time:equal", "time:notequal", "time:before", "time:after", "time:beforeorequal", "time:afterorequal",
    "array:contains", "array:contains:ci", "array:notcontains", "array:equal", "array:notequal", "array:greater",
    "array:less", "array:greaterorequal", "array:lessorequal",
    "boolean:equal", "boolean:notequal",
}  # fmt: skip


def test_the_operator_set_is_exactly_makes() -> None:
    assert set(OPERATORS) == CONTRACT_OPERATORS
    assert {"exist", "notexist"} == UNARY


@pytest.mark.parametrize(("a", "exists"), [
    (0, True), (False, True), ("", True), ([], True), ({}, True), (None, False),
])
def test_exist_is_anything_but_null(a: Any, exists: bool) -> None:
    assert holds("exist", a) is exists
    assert holds("notexist", a) is not exists


@pytest.mark.parametrize(("name", "a", "b", "expected"), [
    ("text:equal", "Ada", "Ada", True),
    ("text:equal", "Ada", "ada", False),
    ("text:equal:ci", "Ada", "ADA", True),
    ("text:notequal", "Ada", "ada", True),
    ("text:notequal:ci", "Ada", "ADA", False),
    ("text:equal", 12, "12", True),
    ("text:equal", 1.0, "1", True),
    ("text:equal", True, "true", True),
    ("text:equal", None, "", True),
    ("text:contains", "big order", "order", True),
    ("text:contains:ci", "BIG ORDER", "order", True),
    ("text:notcontains", "big order", "small", True),
    ("text:notcontains:ci", "BIG ORDER", "order", False),
    ("text:startswith", "invoice-7", "invoice", True),
    ("text:startswith:ci", "Invoice-7", "INVOICE", True),
    ("text:endswith", "report.pdf", ".pdf", True),
    ("text:endswith:ci", "report.PDF", ".pdf", True),
    ("text:pattern", "order 123", r"\d{3}", True),
    ("text:pattern", "ORDER", "order", False),
    ("text:pattern:ci", "ORDER", "^order$", True),
    ("text:notpattern", "abc", r"\d", True),
])
def test_text_operators(name: str, a: Any, b: Any, expected: bool) -> None:
    assert holds(name, a, b) is expected


@pytest.mark.parametrize(("name", "a", "b", "expected"), [
    ("number:equal", 5, 5.0, True),
    ("number:equal", "5", 5, True),
    ("number:notequal", 5, 6, True),
    ("number:greater", "150", 100, True),
    ("number:greater", 100, 100, False),
    ("number:greaterorequal", 100, "100", True),
    ("number:less", -1, 0, True),
    ("number:lessorequal", " 2.5 ", 2.5, True),
    ("number:greater", None, 1, False),
    ("number:less", None, 1, False),
    ("number:equal", None, None, True),
    ("number:notequal", None, 1, True),
    ("number:equal", "", None, True),
])
def test_number_operators(name: str, a: Any, b: Any, expected: bool) -> None:
    assert holds(name, a, b) is expected


@pytest.mark.parametrize(("name", "a", "b", "expected"), [
    ("datetime:equal", "2024-03-05T14:30:00Z", "2024-03-05T15:30:00+01:00", True),
    ("datetime:before", "2024-03-05", "2024-03-06", True),
    ("datetime:after", "2024-03-05T00:00:01", "2024-03-05", True),
    ("datetime:beforeorequal", "2024-03-05", "2024-03-05T00:00:00Z", True),
    ("datetime:afterorequal", "2024-03-04", "2024-03-05", False),
    ("datetime:notequal", "2024-03-04", "2024-03-05", True),
    ("datetime:after", 1709649000000, "2024-03-05T14:00:00Z", True),
    ("datetime:before", None, "2024-03-05", False),
])
def test_datetime_operators(name: str, a: Any, b: Any, expected: bool) -> None:
    assert holds(name, a, b) is expected


@pytest.mark.parametrize(("name", "a", "b", "expected"), [
    ("time:equal", "09:00", "9:00:00", True),
    ("time:before", "08:59", "09:00", True),
    ("time:after", "2024-03-05T18:30:00Z", "17:00", True),
    ("time:beforeorequal", "17:00", "17:00", True),
    ("time:afterorequal", "16:59:59", "17:00", False),
    ("time:notequal", "10:00", "10:01", True),
])
def test_time_operators(name: str, a: Any, b: Any, expected: bool) -> None:
    assert holds(name, a, b) is expected


@pytest.mark.parametrize(("name", "a", "b", "expected"), [
    ("array:contains", ["a", "b"], "b", True),
    ("array:contains", ["A"], "a", False),
    ("array:contains:ci", ["A"], "a", True),
    ("array:contains", [1, 2], "2", True),
    ("array:contains", [True], 1, False),
    ("array:contains", [{"id": 1}], {"id": 1}, True),
    ("array:notcontains", ["a"], "b", True),
    ("array:contains", None, "a", False),
    ("array:equal", [1, 2], 2, True),
    ("array:notequal", [1, 2], "2", False),
    ("array:greater", [1, 2, 3], 2, True),
    ("array:greaterorequal", [1, 2], 2, True),
    ("array:less", [], 1, True),
    ("array:lessorequal", [1, 2], 1, False),
    ("array:equal", None, 0, True),
])
def test_array_operators(name: str, a: Any, b: Any, expected: bool) -> None:
    assert holds(name, a, b) is expected


@pytest.mark.parametrize(("name", "a", "b", "expected"), [
    ("boolean:equal", True, True, True),
    ("boolean:equal", "true", True, True),
    ("boolean:equal", "False", False, True),
    ("boolean:equal", 1, "true", True),
    ("boolean:equal", None, False, True),
    ("boolean:notequal", True, "false", True),
])
def test_boolean_operators(name: str, a: Any, b: Any, expected: bool) -> None:
    assert holds(name, a, b) is expected


@pytest.mark.parametrize(("name", "a", "b", "message"), [
    ("number:greater", {"n": 1}, 1, "cannot compare an object with a number"),
    ("number:equal", [1], 1, "cannot compare an array with a number"),
    ("text:equal", {"n": 1}, "x", "cannot compare an object with text"),
    ("text:contains", "x", ["x"], "cannot compare an array with text"),
    ("number:greater", "abc", 1, "is not a number"),
    ("datetime:before", "soon", "2024-01-01", "is not a date"),
    ("datetime:before", {"d": 1}, "2024-01-01", "cannot compare an object with a date"),
    ("time:before", "25:00", "10:00", "is not a time of day"),
    ("array:contains", "abc", "a", "array operators need an array, not text"),
    ("boolean:equal", "maybe", True, "is not a boolean"),
    ("text:pattern", "abc", "(", "not a valid regular expression"),
])
def test_values_that_cannot_be_compared_are_data_errors(name: str, a: Any, b: Any, message: str) -> None:
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        holds(name, a, b)


def test_unknown_operators_are_named_with_a_hint() -> None:
    assert operator_problem("number:equal") is None
    problem = operator_problem("text:equals")
    assert problem is not None and "unknown operator 'text:equals'" in problem
    assert "did you mean 'text:equal'?" in problem


def test_pattern_problems() -> None:
    assert pattern_problem(r"^\d+$") is None
    assert (pattern_problem("[") or "").startswith("not a valid regular expression")


@pytest.mark.parametrize(("value", "expected"), [
    ("", False), ("false", False), (" No ", False), ("0", False), ("null", False), ("yes", True), (0, False),
    (1, True), ([], False), ({"a": 1}, True), (None, False),
])
def test_truthy_for_expression_conditions(value: Any, expected: bool) -> None:
    assert truthy(value) is expected


def test_a_pattern_that_backtracks_forever_fails_its_step_within_the_time_limit() -> None:
    from scenarist.engine import patterns

    with pytest.raises(DataError, match="took longer than"):
        patterns.search(r"(a|aa)+$", "a" * 5000 + "b")
