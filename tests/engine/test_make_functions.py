"""The functions Make has that the first library lacked, and Make's argument order, through expressions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import statistics
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenarist.engine.expressions import ExpressionEngine, ExpressionError
from scenarist.engine.scope import run_scope
from scenarist.types import ManualClock

NOW = datetime(2024, 3, 5, 14, 30, 15, 250000, tzinfo=UTC)
ENGINE = ExpressionEngine(clock=ManualClock(NOW))
numbers = st.lists(st.integers(-10**6, 10**6) | st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=30)


def ev(expression: str, **context: Any) -> Any:
    return ENGINE.evaluate("{{ " + expression + " }}", context)


# -- general ----------------------------------------------------------------


def test_switch_gives_the_result_of_the_matching_value() -> None:
    assert ev("switch(v, 'a', 1, 'b', 2)", v="b") == 2


def test_switch_gives_the_else_value_without_a_match() -> None:
    assert ev("switch('z', 'a', 1, 'b', 2, 'other')") == "other"


def test_switch_without_a_match_or_else_is_null() -> None:
    assert ev("switch('z', 'a', 1)") is None


def test_switch_matches_numeric_text_to_its_number() -> None:
    assert ev("switch(v, 1, 'one', 2, 'two')", v="2") == "two"


def test_switch_as_a_filter() -> None:
    assert ev("'a' | switch('a', 'first')") == "first"


def test_equal_compares_numbers_with_numeric_text() -> None:
    assert ev("equal(7, '7')") is True


def test_equal_compares_arrays_deeply() -> None:
    assert ev("equal([1, {'a': [2]}], [1, {'a': [3]}])") is False


# -- math ---------------------------------------------------------------------


def test_abs_of_numeric_text() -> None:
    assert ev("abs('-3.5')") == 3.5


def test_abs_of_null_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="number is required"):
        ev("abs(none)")


def test_jinja_abs_filter_has_make_meaning() -> None:
    assert ev("'-2' | abs") == 2


def test_trunc_cuts_toward_zero() -> None:
    assert ev("[trunc(2.9), trunc(-2.9)]") == [2, -2]


def test_trunc_to_decimal_places() -> None:
    assert ev("trunc(1.999, 2)") == 1.99


@given(numbers)
def test_median_agrees_with_statistics(values: list[float]) -> None:
    assert ev("median(values)", values=values) == pytest.approx(statistics.median(values))


@given(numbers)
def test_stdev_population_agrees_with_statistics(values: list[float]) -> None:
    assert ev("stdevP(values)", values=values) == pytest.approx(statistics.pstdev(values), abs=1e-6)


@given(numbers.filter(lambda values: len(values) > 1))
def test_stdev_sample_agrees_with_statistics(values: list[float]) -> None:
    assert ev("stdevS(values)", values=values) == pytest.approx(statistics.stdev(values), abs=1e-6)


def test_median_of_values_given_one_by_one() -> None:
    assert ev("median(5, 1, '3')") == 3


def test_median_of_nothing_is_null() -> None:
    assert ev("median([])") is None


def test_stdev_sample_of_one_number_is_null() -> None:
    assert ev("stdevS([4])") is None


# -- text ---------------------------------------------------------------------


def test_ascii_drops_non_ascii_characters() -> None:
    assert ev("ascii('Crème brûlée')") == "Crme brle"


def test_ascii_can_remove_diacritics_first() -> None:
    assert ev("ascii('Crème brûlée', true)") == "Creme brulee"


def test_index_of_finds_the_first_occurrence() -> None:
    assert ev("indexOf('banana', 'an')") == 1


def test_index_of_from_a_start() -> None:
    assert ev("indexOf('banana', 'an', 2)") == 3


def test_index_of_absent_is_minus_one() -> None:
    assert ev("indexOf('banana', 'x')") == -1


def test_index_of_in_an_array() -> None:
    assert ev("indexOf(['a', 'b'], 'b')") == 1


def test_startcase_capitalises_every_word_and_lowers_the_rest() -> None:
    assert ev("startcase('hELLO big   WORLD')") == "Hello Big   World"


def test_substring_is_zero_based_end_exclusive() -> None:
    assert ev("substring('Scenarist', 0, 5)") == "Scena"


def test_substring_swaps_a_start_after_the_end() -> None:
    assert ev("substring('Scenarist', 5, 0)") == "Scena"


def test_substring_clamps_negative_positions() -> None:
    assert ev("substring('abc', -5, 2)") == "ab"


def test_to_binary_from_hex_has_its_bytes() -> None:
    assert ev("length(toBinary('00ff10', 'hex'))") == 3


def test_to_binary_of_bad_hex_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="not hex"):
        ev("toBinary('zz', 'hex')")


def test_to_binary_of_text_is_utf8() -> None:
    assert ev("base64(toBinary('é'))") == base64.b64encode("é".encode()).decode()


def test_to_string_of_binary_decodes_utf8() -> None:
    assert ev("toString(toBinary('aMOp', 'base64'))") == "hé"


def test_replace_emoji_characters_replaces_whole_sequences() -> None:
    assert ev("replaceEmojiCharacters(t, '*')", t="a👨‍👩‍👧b👍🏽c🇨🇿d") == "a*b*c*d"


def test_replace_emoji_characters_keeps_other_symbols() -> None:
    assert ev("replaceEmojiCharacters(t, '')", t="© 2024 → ok, 100%") == "© 2024 → ok, 100%"


def test_escape_markdown_escapes_special_characters() -> None:
    assert ev("escapeMarkdown(t)", t="# a_b *c* [d](e)") == r"\# a\_b \*c\* \[d\]\(e\)"


@pytest.mark.parametrize("name", ["md5", "sha1", "sha256", "sha512"])
def test_hash_in_base64(name: str) -> None:
    expected = base64.b64encode(hashlib.new(name, b"abc").digest()).decode()
    assert ev(f"{name}('abc', 'base64')") == expected


@pytest.mark.parametrize("name", ["md5", "sha1", "sha256", "sha512"])
def test_hash_key_is_the_third_argument(name: str) -> None:
    assert ev(f"{name}('abc', 'hex', 'secret')") == hmac.new(b"secret", b"abc", name).hexdigest()


def test_hash_key_in_hex() -> None:
    expected = hmac.new(bytes.fromhex("00ff"), b"abc", "sha256").hexdigest()
    assert ev("sha256('abc', 'hex', '00ff', 'hex')") == expected


def test_hash_key_as_binary_data() -> None:
    expected = hmac.new(b"\x00\xff", b"abc", "sha256").hexdigest()
    assert ev("sha256('abc', 'hex', toBinary('AP8=', 'base64'), 'binary')") == expected


def test_hash_in_binary_is_one_character_per_byte() -> None:
    assert ev("length(sha256('abc', 'binary'))") == 32


def test_hash_of_binary_data_hashes_its_bytes() -> None:
    assert ev("md5(toBinary('00ff', 'hex'))") == hashlib.md5(b"\x00\xff").hexdigest()


def test_hash_rejects_an_unknown_encoding() -> None:
    with pytest.raises(ExpressionError, match="encoding must be"):
        ev("sha1('abc', 'key')")


# -- dates --------------------------------------------------------------------


@pytest.mark.parametrize(("call", "expected"), [
    ("setSecond(t, 59)", "2024-03-05T14:30:59.250Z"),
    ("setMinute(t, 0)", "2024-03-05T14:00:15.250Z"),
    ("setHour(t, 0)", "2024-03-05T00:30:15.250Z"),
    ("setDate(t, 1)", "2024-03-01T14:30:15.250Z"),
    ("setMonth(t, 12)", "2024-12-05T14:30:15.250Z"),
    ("setYear(t, 1999)", "1999-03-05T14:30:15.250Z"),
])  # fmt: skip
def test_set_functions_set_one_field(call: str, expected: str) -> None:
    assert ev(call, t="2024-03-05T14:30:15.250Z") == expected


def test_set_minute_carries_into_the_hours() -> None:
    assert ev("setMinute('2024-03-05T14:30:00Z', 130)") == "2024-03-05T16:10:00.000Z"


def test_set_date_zero_is_the_previous_month_end() -> None:
    assert ev("setDate('2024-03-05T10:00:00Z', 0)") == "2024-02-29T10:00:00.000Z"


def test_set_day_by_short_name() -> None:
    assert ev("setDay('2024-03-06T10:00:00Z', 'Sat')") == "2024-03-09T10:00:00.000Z"


def test_set_day_seven_is_saturday() -> None:
    assert ev("formatDate(setDay('2024-03-06T10:00:00Z', 7), 'dddd')") == "Saturday"


def test_set_day_of_an_unknown_name_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="not a day of the week"):
        ev("setDay(now, 'someday')")


def test_set_month_by_name() -> None:
    assert ev("setMonth('2024-03-05T10:00:00Z', 'Oct')") == "2024-10-05T10:00:00.000Z"


def test_set_year_from_a_leap_day() -> None:
    assert ev("setYear('2024-02-29T10:00:00Z', 2023)") == "2023-02-28T10:00:00.000Z"


def test_set_hour_into_a_skipped_hour_moves_forward() -> None:
    # Prague skips 02:00-03:00 on 2024-03-31; 02:30 is read as 03:30 CEST (01:30 UTC), like Moment.
    with run_scope("Europe/Prague"):
        assert ev("setHour('2024-03-31T00:30:00Z', 2)") == "2024-03-31T01:30:00.000Z"


def test_set_functions_of_empty_are_empty() -> None:
    assert ev("setHour(none, 3)") is None


def test_date_difference_in_hours() -> None:
    assert ev("dateDifference('2024-03-05T14:00:00Z', '2024-03-05T15:00:00Z', 'hours')") == -1


def test_date_difference_cuts_partial_units() -> None:
    assert ev("dateDifference('2024-03-05T14:59:59Z', '2024-03-05T14:00:00Z', 'hours')") == 0


def test_date_difference_rejects_an_unknown_unit() -> None:
    with pytest.raises(ExpressionError, match="unit must be"):
        ev("dateDifference(now, now, 'fortnights')")


def test_format_date_uses_the_scenario_zone() -> None:
    with run_scope("America/New_York"):
        assert ev("formatDate(now, 'HH:mm')") == "09:30"


def test_an_explicit_zone_wins_over_the_scenario_zone() -> None:
    with run_scope("America/New_York"):
        assert ev("formatDate(now, 'HH:mm', 'UTC')") == "14:30"


def test_parse_date_reads_the_scenario_zone() -> None:
    with run_scope("Asia/Tokyo"):
        assert ev("parseDate('2024-03-05 09:00', 'YYYY-MM-DD HH:mm')") == "2024-03-05T00:00:00.000Z"


def test_iso_text_without_an_offset_is_read_in_the_scenario_zone() -> None:
    with run_scope("Asia/Tokyo"):
        assert ev("addDays('2024-03-05T09:00:00', 1)") == "2024-03-06T00:00:00.000Z"


def test_iso_text_with_an_offset_keeps_it() -> None:
    with run_scope("Asia/Tokyo"):
        assert ev("parseDate('2024-03-05T09:00:00Z')") == "2024-03-05T09:00:00.000Z"


def test_the_zone_is_utc_again_after_the_scope() -> None:
    with run_scope("Asia/Tokyo"):
        pass
    assert ev("formatDate(now, 'HH')") == "14"


# -- arrays -------------------------------------------------------------------


def test_add_does_not_change_its_array() -> None:
    items = [1]
    assert ev("add(items, 2)", items=items) == [1, 2]
    assert items == [1]


def test_remove_drops_equal_objects() -> None:
    assert ev("remove([{'a': 1}, {'a': 2}], {'a': 1})") == [{"a": 2}]


def test_reverse_of_null_is_empty() -> None:
    assert ev("reverse(none)") == []


@given(st.lists(st.integers(), max_size=20))
def test_shuffle_keeps_every_item(items: list[int]) -> None:
    assert sorted(ev("shuffle(items)", items=items)) == sorted(items)


def test_array_difference_keeps_the_order_of_the_first_array() -> None:
    assert ev("arrayDifference(['c', 'a', 'b'], ['a'])") == ["c", "b"]


def test_array_difference_rejects_an_unknown_mode() -> None:
    with pytest.raises(ExpressionError, match="classic or symmetric"):
        ev("arrayDifference([1], [2], 'both')")


@given(st.lists(st.integers(0, 9), max_size=10), st.lists(st.integers(0, 9), max_size=10))
def test_symmetric_difference_is_the_union_less_the_intersection(first: list[int], second: list[int]) -> None:
    assert set(ev("arrayDifference(a, b, 'symmetric')", a=first, b=second)) == set(first) ^ set(second)


def test_array_intersect_compares_objects_by_value() -> None:
    assert ev("arrayIntersect([{'a': 1}, {'a': 2}], [{'a': 2}])") == [{"a": 2}]


# -- keywords -----------------------------------------------------------------


def test_timestamp_is_whole_seconds_of_the_clock() -> None:
    assert ev("timestamp") == int(NOW.timestamp())


def test_execution_id_is_null_outside_a_run() -> None:
    assert ev("executionId") is None


def test_execution_id_inside_a_scope() -> None:
    with run_scope("UTC", "e-1"):
        assert ev("executionId") == "e-1"


@pytest.mark.parametrize(("keyword", "value"), [
    ("emptystring", ""), ("emptyarray", []), ("space", " "), ("tab", "\t"), ("newline", "\n"),
    ("nbsp", "\u00a0"), ("carriagereturn", "\r"), ("null", None),
])  # fmt: skip
def test_keyword_values(keyword: str, value: Any) -> None:
    assert ev(keyword) == value


def test_a_keyword_wins_over_a_context_key() -> None:
    assert ev("space", space="not a space") == " "


def test_emptyarray_is_a_new_array_each_time() -> None:
    assert ev("[add(emptyarray, 1), emptyarray]") == [[1], []]


def test_random_is_below_one() -> None:
    assert 0 <= ev("random") < 1


def test_a_keyword_is_not_a_filter() -> None:
    with pytest.raises(ExpressionError, match="no function or filter"):
        ENGINE.compile("{{ 'x' | space }}")


def test_a_keyword_can_be_called() -> None:
    assert ev("pi()") == pytest.approx(3.141592653589793)


def test_add_days_keeps_the_wall_time_of_the_scenario_zone_across_dst() -> None:
    # Prague moves to summer time on 2024-03-31: 13:00 CET plus a day is 13:00 CEST.
    with run_scope("Europe/Prague"):
        assert ev("addDays('2024-03-30T12:00:00Z', 1)") == "2024-03-31T11:00:00.000Z"


def test_add_hours_counts_real_hours_across_dst() -> None:
    with run_scope("Europe/Prague"):
        assert ev("addHours('2024-03-30T12:00:00Z', 24)") == "2024-03-31T12:00:00.000Z"


def test_add_months_keeps_the_wall_time_of_the_scenario_zone() -> None:
    with run_scope("Europe/Prague"):
        assert ev("addMonths('2024-03-15T09:00:00Z', 4)") == "2024-07-15T08:00:00.000Z"


@pytest.mark.parametrize(("value", "call"), [
    ("'Hello'", "substring(1, 3)"), ("'Hello'", "indexOf('l')"), ("'héllo wörld'", "ascii(true)"),
    ("'hello world'", "startcase"), ("'a*b'", "escapeMarkdown"), ("'a😀'", "replaceEmojiCharacters('-')"),
    ("'abc'", "sha256('base64', 'k')"), ("'00ff'", "toBinary('hex') | length"), ("[3, 1, 2]", "median"),
    ("[1, 2]", "stdevP"), ("[1, 2]", "stdevS"), ("-2.7", "trunc"), ("'-2'", "abs"), ("[1]", "add(2)"),
    ("[1, 2]", "remove(1)"), ("[1, 2]", "reverse"), ("[1, 2]", "arrayDifference([2], 'symmetric')"),
    ("[1, 2]", "arrayIntersect([2])"), ("'2024-03-05T10:00:00Z'", "setHour(3)"),
    ("'2024-03-05T10:00:00Z'", "setDay('friday')"), ("'2024-03-05T10:00:00Z'", "dateDifference(now, 'days')"),
    ("'b'", "switch('a', 1, 'b', 2)"), ("1", "equal('1')"),
])  # fmt: skip
def test_a_function_and_its_filter_agree(value: str, call: str) -> None:
    name, _, rest = call.partition("(")
    arguments = rest.split(")")[0] if rest else ""
    tail = call.split(")", 1)[1] if rest else ""
    as_function = f"{name}({value}{', ' + arguments if arguments else ''}){tail}"
    assert ev(f"{value} | {call}") == ev(as_function)


def test_parse_date_without_a_format_reads_digits_as_epoch_milliseconds_in_any_zone() -> None:
    assert ev("parseDate('86400000', '', 'Asia/Tokyo')") == "1970-01-02T00:00:00.000Z"


def test_parse_date_without_a_format_reads_iso_text_in_the_given_zone() -> None:
    assert ev("parseDate('2024-03-05T09:00:00', '', 'Asia/Tokyo')") == "2024-03-05T00:00:00.000Z"


def test_date_difference_of_an_empty_date_is_null() -> None:
    assert ev("dateDifference('', now)") is None
