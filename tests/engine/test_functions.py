"""Make's function library, called through expressions as functions and as filters."""

from __future__ import annotations

import base64 as b64
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

import pytest

from scenarist.engine.expressions import ExpressionEngine, ExpressionError
from scenarist.types import ManualClock

ORDERS = [
    {"id": 1, "name": "b", "tag": "x", "price": 10},
    {"id": 2, "name": "A", "tag": "y", "price": 5},
    {"id": 3, "name": "c", "tag": "x", "price": 7},
]


@pytest.fixture
def engine() -> ExpressionEngine:
    return ExpressionEngine(clock=ManualClock(datetime(2024, 3, 5, 14, 30, 15, 250000, tzinfo=UTC)))


def ev(engine: ExpressionEngine, expression: str, **context: Any) -> Any:
    return engine.evaluate("{{ " + expression + " }}", {"orders": ORDERS, **context})


# -- general ----------------------------------------------------------------


@pytest.mark.parametrize("empty", [None, "", [], {}])
def test_ifempty_replaces_empty_values(engine: ExpressionEngine, empty: Any) -> None:
    assert ev(engine, "ifempty(v, 'alt')", v=empty) == "alt"


def test_ifempty_keeps_zero_and_false(engine: ExpressionEngine) -> None:
    assert ev(engine, "[ifempty(0, 1), ifempty(false, 1)]") == [0, False]


def test_ifempty_as_filter_on_missing(engine: ExpressionEngine) -> None:
    assert ev(engine, "missing.x | ifempty('alt')") == "alt"


# -- objects -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["a.b[0].c", "a.b.0.c"])
def test_get_follows_a_path(engine: ExpressionEngine, path: str) -> None:
    assert ev(engine, f"get(o, '{path}')", o={"a": {"b": [{"c": 5}]}}) == 5


def test_get_of_a_missing_path_is_null(engine: ExpressionEngine) -> None:
    assert ev(engine, "get(o, 'a.x.y')", o={"a": {}}) is None


def test_pick_keeps_listed_keys(engine: ExpressionEngine) -> None:
    assert ev(engine, "pick(o, 'a', ['c'])", o={"a": 1, "b": 2, "c": 3}) == {"a": 1, "c": 3}


def test_omit_drops_listed_keys(engine: ExpressionEngine) -> None:
    assert ev(engine, "o | omit('a')", o={"a": 1, "b": 2}) == {"b": 2}


def test_keys_lists_object_keys(engine: ExpressionEngine) -> None:
    assert ev(engine, "keys(o)", o={"a": 1, "b": 2}) == ["a", "b"]


def test_to_collection(engine: ExpressionEngine) -> None:
    items = [{"k": "a", "v": 1}, {"k": "b", "v": 2}]
    assert ev(engine, "toCollection(items, 'k', 'v')", items=items) == {"a": 1, "b": 2}


def test_to_array(engine: ExpressionEngine) -> None:
    assert ev(engine, "toArray(o)", o={"a": 1}) == [{"key": "a", "value": 1}]


def test_merge_objects(engine: ExpressionEngine) -> None:
    assert ev(engine, "merge({'a': 1, 'b': 1}, {'b': 2})") == {"a": 1, "b": 2}


def test_merge_arrays(engine: ExpressionEngine) -> None:
    assert ev(engine, "merge([1], [2, 3], 4)") == [1, 2, 3, 4]


# -- arrays ------------------------------------------------------------------


def test_map_plucks_a_key(engine: ExpressionEngine) -> None:
    assert ev(engine, "map(orders, 'id')") == [1, 2, 3]


def test_map_filters_by_key_and_values(engine: ExpressionEngine) -> None:
    assert ev(engine, "orders | map('id', 'tag', 'x')") == [1, 3]
    assert ev(engine, "map(orders, 'name', 'id', [2, 3])") == ["A", "c"]


def test_sort_numbers_ascending_by_default(engine: ExpressionEngine) -> None:
    assert ev(engine, "sort([3, 1, 2])") == [1, 2, 3]


def test_sort_descending(engine: ExpressionEngine) -> None:
    assert ev(engine, "[3, 1, 2] | sort('desc')") == [3, 2, 1]


def test_sort_by_key_case_insensitive(engine: ExpressionEngine) -> None:
    names = ev(engine, "sort(orders, 'asc ci', 'name') | map('name')")
    assert names == ["A", "b", "c"]
    assert ev(engine, "sort(orders, 'asc', 'name') | map('name')") == ["A", "b", "c"]
    assert ev(engine, "sort(['b', 'A', 'c'], 'desc ci')") == ["c", "b", "A"]


def test_sort_rejects_unknown_order(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="sort order"):
        ev(engine, "sort([1], 'up')")


def test_deduplicate(engine: ExpressionEngine) -> None:
    assert ev(engine, "deduplicate([1, 2, 1, {'a': 1}, {'a': 1}])") == [1, 2, {"a": 1}]


def test_distinct_by_key(engine: ExpressionEngine) -> None:
    assert ev(engine, "distinct(orders, 'tag') | map('id')") == [1, 2]
    assert ev(engine, "distinct([1, 1, 2])") == [1, 2]


def test_flatten_one_level(engine: ExpressionEngine) -> None:
    assert ev(engine, "flatten([1, [2, [3]], []])") == [1, 2, [3]]
    assert ev(engine, "flatten([1, [2, [3]]], 2)") == [1, 2, 3]


def test_first_and_last(engine: ExpressionEngine) -> None:
    assert ev(engine, "[first([4, 5]), last([4, 5]), first([]), [] | last]") == [4, 5, None, None]


def test_slice_is_zero_based_end_exclusive(engine: ExpressionEngine) -> None:
    assert ev(engine, "slice([0, 1, 2, 3], 1, 3)") == [1, 2]
    assert ev(engine, "[0, 1, 2] | slice(1)") == [1, 2]


def test_contains_text_arrays_objects(engine: ExpressionEngine) -> None:
    assert ev(engine, "[contains('hello', 'ell'), contains([1, 2], 2), contains({'a': 1}, 'b')]") == [
        True,
        True,
        False,
    ]


def test_length(engine: ExpressionEngine) -> None:
    assert ev(engine, "[length('abc'), length([1]), length(none), orders | length]") == [3, 1, 0, 3]


def test_join_and_split(engine: ExpressionEngine) -> None:
    assert ev(engine, "join(split('a,b,c', ','), ' | ')") == "a | b | c"


def test_range_is_available_and_bounded(engine: ExpressionEngine) -> None:
    assert ev(engine, "range(3) | list") == [0, 1, 2]


# -- text --------------------------------------------------------------------


def test_upper_lower_capitalize_trim(engine: ExpressionEngine) -> None:
    assert ev(engine, "[upper('ab'), lower('AB'), capitalize('hello World'), trim('  x ')]") == [
        "AB",
        "ab",
        "Hello World",
        "x",
    ]


def test_text_functions_treat_null_as_empty(engine: ExpressionEngine) -> None:
    assert ev(engine, "missing | upper") == ""


def test_to_string(engine: ExpressionEngine) -> None:
    assert ev(engine, "[toString(12), toString({'a': 1}), toString(none), 1 | string]") == [
        "12",
        '{"a":1}',
        "",
        "1",
    ]


def test_replace_plain_text_replaces_all(engine: ExpressionEngine) -> None:
    assert ev(engine, "replace('a.b.c', '.', '-')") == "a-b-c"


def test_replace_regex_with_groups(engine: ExpressionEngine) -> None:
    assert ev(engine, r"replace('John Smith', '/(\\w+) (\\w+)/', '$2, $1')") == "Smith, John"


def test_replace_regex_global_and_case_insensitive_flags(engine: ExpressionEngine) -> None:
    assert ev(engine, "'aAa' | replace('/a/gi', 'x')") == "xxx"
    assert ev(engine, "'aAa' | replace('/a/', 'x')") == "xAa"


def test_replacement_text_is_not_a_regex_template(engine: ExpressionEngine) -> None:
    assert ev(engine, r"replace('a', '/a/', '\\n$9')") == r"\n$9"


@pytest.mark.parametrize("name", ["md5", "sha1", "sha256", "sha512"])
def test_hashes(engine: ExpressionEngine, name: str) -> None:
    assert ev(engine, f"{name}('abc')") == hashlib.new(name, b"abc").hexdigest()


@pytest.mark.parametrize("name", ["md5", "sha1", "sha256", "sha512"])
def test_hashes_with_a_key_are_hmac(engine: ExpressionEngine, name: str) -> None:
    expected = hmac.new(b"key", b"abc", name).hexdigest()
    assert ev(engine, f"'abc' | {name}('hex', 'key')") == expected


def test_base64_round_trip(engine: ExpressionEngine) -> None:
    assert ev(engine, "base64('héllo')") == b64.b64encode("héllo".encode()).decode()
    assert ev(engine, "unbase64(base64('héllo'))") == "héllo"


def test_unbase64_of_garbage_is_an_error(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError):
        ev(engine, "unbase64('/w==')")


def test_encode_and_decode_url(engine: ExpressionEngine) -> None:
    assert ev(engine, "encodeURL('a b&c/d')") == "a%20b%26c%2Fd"
    assert ev(engine, "decodeURL('a%20b%26c')") == "a b&c"


def test_escape_and_strip_html(engine: ExpressionEngine) -> None:
    assert ev(engine, "escapeHTML('<b>&</b>')") == "&lt;b&gt;&amp;&lt;/b&gt;"
    assert ev(engine, "stripHTML('<p>Hi <b>you</b> &amp; me</p>')") == "Hi you & me"


# -- numbers -----------------------------------------------------------------


def test_format_number_make_defaults(engine: ExpressionEngine) -> None:
    assert ev(engine, "formatNumber(1234567.891, 2)") == "1.234.567,89"


def test_format_number_custom_separators(engine: ExpressionEngine) -> None:
    assert ev(engine, "1234.5 | formatNumber(1, '.', ',')") == "1,234.5"
    assert ev(engine, "formatNumber(2.5)") == "3"


def test_parse_number(engine: ExpressionEngine) -> None:
    assert ev(engine, "parseNumber('1.234,5', ',')") == 1234.5
    assert ev(engine, "parseNumber('1,234')") == 1234


def test_to_number(engine: ExpressionEngine) -> None:
    assert ev(engine, "[toNumber('12'), toNumber('1.5'), toNumber(true)]") == [12, 1.5, 1]


def test_to_number_rejects_words(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="not a number"):
        ev(engine, "toNumber('twelve')")


def test_sum_average_min_max(engine: ExpressionEngine) -> None:
    assert ev(engine, "[sum(1, 2, 3), sum([1, 2]), average([1, 2]), min(3, 1), max([3, 9])]") == [
        6,
        3,
        1.5,
        1,
        9,
    ]
    assert ev(engine, "orders | map('price') | sum") == 22


def test_average_of_nothing_is_null(engine: ExpressionEngine) -> None:
    assert ev(engine, "average([])") is None


def test_round_half_away_from_zero(engine: ExpressionEngine) -> None:
    assert ev(engine, "[round(2.5), round(-2.5), round(1.005, 2), 3.14159 | round(3)]") == [
        3,
        -3,
        1.01,
        3.142,
    ]


def test_floor_and_ceil(engine: ExpressionEngine) -> None:
    assert ev(engine, "[floor(1.7), ceil(1.2), floor(-1.5)]") == [1, 2, -2]


# -- dates -------------------------------------------------------------------


def test_the_contract_example(engine: ExpressionEngine) -> None:
    expression = (
        'formatDate(parseDate("2024-03-05 14:30", "YYYY-MM-DD HH:mm", "UTC"), '
        '"DD.MM.YYYY HH:mm", "Europe/Prague")'
    )
    assert ev(engine, expression) == "05.03.2024 15:30"


def test_format_date_all_tokens(engine: ExpressionEngine) -> None:
    fmt = "YYYY YY MMMM MMM MM M Do DD D dddd ddd HH H hh h mm m ss s SSS A a Z ZZ [at] X x"
    assert ev(engine, f"now | formatDate('{fmt}')") == (
        "2024 24 March Mar 03 3 5th 05 5 Tuesday Tue 14 14 02 2 30 30 15 15 250 PM pm "
        "+00:00 +0000 at 1709649015 1709649015250"
    )


def test_format_date_accepts_iso_text_and_epoch_millis(engine: ExpressionEngine) -> None:
    assert ev(engine, "formatDate('2024-03-05T14:30:00Z', 'HH:mm')") == "14:30"
    assert ev(engine, "formatDate(0, 'YYYY-MM-DD')") == "1970-01-01"


def test_format_date_in_a_time_zone_across_dst(engine: ExpressionEngine) -> None:
    # Europe/Prague moves from +01:00 to +02:00 at 01:00 UTC on 2024-03-31.
    before = ev(engine, "formatDate('2024-03-31T00:59:00Z', 'HH:mm Z', 'Europe/Prague')")
    after = ev(engine, "formatDate('2024-03-31T01:00:00Z', 'HH:mm Z', 'Europe/Prague')")
    assert (before, after) == ("01:59 +01:00", "03:00 +02:00")


def test_parse_date_in_a_time_zone_in_summer(engine: ExpressionEngine) -> None:
    assert ev(engine, "parseDate('2024-07-01 12:00', 'YYYY-MM-DD HH:mm', 'Europe/Prague')") == (
        "2024-07-01T10:00:00.000Z"
    )


def test_parse_date_skipped_local_time_moves_forward(engine: ExpressionEngine) -> None:
    # 02:30 does not exist in Prague on 2024-03-31; like Moment it means 03:30 CEST.
    parsed = ev(engine, "parseDate('2024-03-31 02:30', 'YYYY-MM-DD HH:mm', 'Europe/Prague')")
    assert parsed == "2024-03-31T01:30:00.000Z"


def test_parse_date_with_names_ordinals_and_offset(engine: ExpressionEngine) -> None:
    text = "parseDate('Tue, March 5th 2024 2:30:15.5 pm +01:00', 'ddd, MMMM Do YYYY h:mm:ss.S a Z')"
    assert ev(engine, text) == "2024-03-05T13:30:15.500Z"


def test_parse_date_epoch_tokens(engine: ExpressionEngine) -> None:
    assert ev(engine, "parseDate('1709649015', 'X')") == "2024-03-05T14:30:15.000Z"
    assert ev(engine, "parseDate('1709649015250', 'x')") == "2024-03-05T14:30:15.250Z"


def test_parse_date_without_format_reads_iso(engine: ExpressionEngine) -> None:
    assert ev(engine, "parseDate('2024-03-05T14:30:00+01:00')") == "2024-03-05T13:30:00.000Z"


def test_parse_date_that_does_not_match_is_an_error(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="does not match"):
        ev(engine, "parseDate('5/3/2024', 'YYYY-MM-DD')")


def test_unknown_time_zone_is_an_error(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="unknown time zone"):
        ev(engine, "formatDate(now, 'HH', 'Mars/Olympus')")


def test_add_seconds_minutes_hours_days(engine: ExpressionEngine) -> None:
    assert ev(
        engine,
        "[addSeconds(now, 45), addMinutes(now, -30), addHours(now, 2), now | addDays(1)]",
    ) == [
        "2024-03-05T14:31:00.250Z",
        "2024-03-05T14:00:15.250Z",
        "2024-03-05T16:30:15.250Z",
        "2024-03-06T14:30:15.250Z",
    ]


def test_add_months_clamps_to_the_month_end(engine: ExpressionEngine) -> None:
    assert ev(engine, "addMonths('2024-01-31T10:00:00Z', 1)") == "2024-02-29T10:00:00.000Z"
    assert ev(engine, "addMonths('2024-03-31T10:00:00Z', -1)") == "2024-02-29T10:00:00.000Z"


def test_add_years_from_a_leap_day(engine: ExpressionEngine) -> None:
    assert ev(engine, "addYears('2024-02-29T00:00:00Z', 1)") == "2025-02-28T00:00:00.000Z"


def test_add_days_keeps_working_across_dst(engine: ExpressionEngine) -> None:
    result = ev(engine, "formatDate(addDays('2024-03-30T12:00:00Z', 1), 'DD HH:mm', 'Europe/Prague')")
    assert result == "31 14:00"


def test_now_reads_the_clock(engine: ExpressionEngine) -> None:
    assert ev(engine, "now") == "2024-03-05T14:30:15.250Z"


def test_uuid_is_version_4(engine: ExpressionEngine) -> None:
    assert ev(engine, "uuid")[14] == "4"


def test_functions_and_filters_agree(engine: ExpressionEngine) -> None:
    assert ev(engine, "formatDate(now, 'YYYY')") == ev(engine, "now | formatDate('YYYY')") == "2024"


@pytest.mark.parametrize("name", ["formatDate(v, 'YYYY')", "parseDate(v, 'YYYY')", "addDays(v, 1)"])
def test_date_functions_of_empty_are_empty(engine: ExpressionEngine, name: str) -> None:
    assert ev(engine, name, v=None) is None
    assert ev(engine, name, v="") is None


def test_a_date_that_is_not_a_date_is_an_error(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="not a date"):
        ev(engine, "formatDate('yesterday', 'YYYY')")


def test_replace_with_a_pattern_that_backtracks_forever_fails_instead_of_hanging(engine: ExpressionEngine) -> None:
    text = "a" * 5000 + "b"
    with pytest.raises(ExpressionError, match="took longer than"):
        engine.evaluate('{{ replace(text, "/(a|aa)+$/", "x") }}', {"text": text})


def test_replace_with_a_regex_keeps_make_group_references(engine: ExpressionEngine) -> None:
    expression = '{{ replace("2024-03-05", "/(\\\\d+)-(\\\\d+)-(\\\\d+)/", "$3.$2.$1") }}'
    assert engine.evaluate(expression, {}) == "05.03.2024"
