"""A value into its field's type: what is converted, what is refused (``scenarist.datastores.records``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenarist.datastores.records import RecordInvalid, Unfit, checked_record, convert, key_problem


@pytest.mark.parametrize(("field_type", "value", "expected"), [
    ("text", "abc", "abc"),
    ("text", 42, "42"),
    ("text", 1.5, "1.5"),
    ("text", True, "true"),
    ("number", 7, 7),
    ("number", -2.5, -2.5),
    ("number", " 42 ", 42),
    ("number", "1e3", 1000.0),
    ("number", "-0.25", -0.25),
    ("boolean", False, False),
    ("boolean", " TRUE ", True),
    ("boolean", "false", False),
    ("date", "2024-03-05", "2024-03-05T00:00:00.000Z"),
    ("date", "2024-03-05T14:30:00Z", "2024-03-05T14:30:00.000Z"),
    ("date", "2024-03-05 14:30:15.123456+01:00", "2024-03-05T13:30:15.123Z"),
    ("date", "0001-01-01T00:00:00", "0001-01-01T00:00:00.000Z"),
    ("array", [1, "a", None], [1, "a", None]),
    ("collection", {"a": [1]}, {"a": [1]}),
    ("any", {"x": None}, {"x": None}),
    ("any", "text", "text"),
])
def test_a_value_is_converted_where_nothing_is_lost(field_type: str, value: Any, expected: Any) -> None:
    converted = convert(field_type, value)
    assert converted == expected and type(converted) is type(expected)


@pytest.mark.parametrize(("field_type", "value"), [
    ("text", [1]), ("text", {"a": 1}),
    ("number", True), ("number", "twelve"), ("number", "1_000"), ("number", "0x10"), ("number", "NaN"),
    ("number", "1e999"), ("number", "Infinity"), ("number", ""), ("number", [1]), ("number", "9" * 5000),
    ("boolean", 1), ("boolean", "yes"), ("boolean", None),
    ("date", "yesterday"), ("date", 1700000000), ("date", "2024-13-01"), ("date", "0001-01-01T00:00:00+01:00"),
    ("array", "a,b"), ("array", {"a": 1}),
    ("collection", [1]), ("collection", "{}"),
])
def test_a_value_its_type_cannot_take_is_unfit(field_type: str, value: Any) -> None:
    with pytest.raises(Unfit):
        convert(field_type, value)


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers())
def test_a_number_survives_its_own_text(number: float) -> None:
    assert convert("number", convert("text", number)) == number


@given(st.datetimes(timezones=st.timezones()))
def test_a_date_keeps_its_instant_and_sorts_as_text(when: datetime) -> None:
    if when.astimezone(UTC).year < 1 or not 1 <= when.year <= 9999:
        return
    text = convert("date", when.isoformat())
    assert datetime.fromisoformat(text).timestamp() == pytest.approx(when.timestamp(), abs=0.001)
    assert convert("date", text) == text


def test_a_record_is_checked_against_the_structure() -> None:
    structure = [{"name": "a", "type": "number", "required": True}, {"name": "b", "type": "text"}]
    assert checked_record(structure, {"a": "1", "b": None}, "S") == {"a": 1}
    with pytest.raises(RecordInvalid) as refused:
        checked_record(structure, {"b": [], "odd name": 1}, "S")
    assert refused.value.message == ('data.b: expected text; data["odd name"]: not a field of data store \'S\'; '
                                     "data.a: required")
    assert refused.value.path == "data.b"


@pytest.mark.parametrize(("key", "fine"), [
    ("k", True), ("k" * 256, True), ("a/b c?é", True), ("", False), ("k" * 257, False), ("a\x00b", False),
    ("\ud800", False), (5, False),
])
def test_what_can_be_a_key(key: Any, fine: bool) -> None:
    assert (key_problem(key) is None) is fine
