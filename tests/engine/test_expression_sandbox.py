"""Escapes, resource exhaustion and arbitrary input all end in a DataError."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarist.engine.expressions import ExpressionEngine, ExpressionError
from scenarist.sdk import DataError

CONTEXT: dict[str, Any] = {"x": {"a": 1}, "s": "abc", "n": 1, "items": [1, 2, 3]}


@pytest.fixture
def engine() -> ExpressionEngine:
    return ExpressionEngine()


def refused(engine: ExpressionEngine, expression: str) -> DataError:
    with pytest.raises(DataError) as caught:
        engine.evaluate("{{ " + expression + " }}", CONTEXT)
    assert isinstance(caught.value, ExpressionError)
    return caught.value


ESCAPES = [
    "''.__class__",
    "x.__class__.__mro__",
    "s.__class__.__mro__",
    "().__class__.__bases__[0].__subclasses__()",
    "cycler.__init__.__globals__",
    "lipsum.__globals__",
    "joiner.__init__",
    "namespace.__init__",
    "self.__init__",
    "self._TemplateReference__context",
    "s.upper.__self__",
    "s.upper.__call__",
    "x.items.__self__",
    "s['__class__']",
    "x['__class__']",
    "s | attr('__class__')",
    "items | selectattr('__class__') | list",
    "now.__class__",
    "formatDate.__globals__",
    "upper.__code__",
    "join.func",
    "join.func(10.0 ** 15, 'a', 'a', 'b')",
    "replace.func(1e15, 'a' * 1000000, 'a', 'b' * 1000000)",
    "(items | select).gi_frame",
    "(items | select) | attr('gi_frame')",
    "s.upper.__name__",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_python_internals_are_unreachable(engine: ExpressionEngine, expression: str) -> None:
    refused(engine, expression)


@pytest.mark.parametrize("name", ["mro", "func_globals", "gi_frame", "f_globals", "f_back", "co_code"])
def test_internal_attribute_names_are_refused(engine: ExpressionEngine, name: str) -> None:
    refused(engine, f"s.{name}")
    refused(engine, f"missing.{name}")


def test_format_cannot_reach_attributes(engine: ExpressionEngine) -> None:
    message = refused(engine, "'{0.__class__}'.format(1)").message
    assert "__class__" in message


def test_format_map_cannot_reach_attributes(engine: ExpressionEngine) -> None:
    refused(engine, "'{a.__class__}'.format_map({'a': 1})")


@pytest.mark.parametrize(
    "expression",
    [
        "'{0:>999999999}'.format(1)",
        "'{:>{w}}'.format(1, w=999999999)",
        "'{0:.999999999f}'.format(1.5)",
        "'{0}{0}{0}{0}{0}'.format('a' * 300000)",
    ],
)
def test_format_widths_and_sizes_are_bounded(engine: ExpressionEngine, expression: str) -> None:
    refused(engine, expression)


@pytest.mark.parametrize(
    "expression",
    [
        "'%999999999d' % 1",
        "'%.999999999f' % 1.5",
        "'%*d' % (100000000, 1)",
        "'%s%s%s%s%s' % (('a' * 300000),) * 5",
        "'%999999999d' | format(1)",
    ],
)
def test_percent_formatting_is_bounded(engine: ExpressionEngine, expression: str) -> None:
    refused(engine, expression)


@pytest.mark.parametrize(
    "expression",
    [
        "'%s' * 10**8",
        "'a' * 10**8",
        "10**8 * 'a'",
        "[1] * 10**8",
        "('a' * 1000000) + ('a' * 1000000)",
        "('a' * 600000) ~ ('a' * 600000)",
        "range(10**9) | list",
        "range(10**9)",
        "10 ** 10 ** 10",
        "9**9**9",
        "10 ** (10 ** 10)",
        "(2 ** 100) ** (2 ** 100)",
        "'x'.center(10**9)",
        "'x'.ljust(10**9)",
        "'x'.zfill(10**9)",
        "'\\t'.expandtabs(10**7)",
        "('a' * 1000000).replace('a', 'bb')",
        "','.join(['a' * 1000] * 100000)",
        "join(['a' * 1000] * 100000, ',')",
        "replace('a' * 1000000, 'a', 'bb')",
        "replace('a' * 1000000, '/a/g', '$&$&')",
        "(1).to_bytes(10**9, 'big')",
    ],
)
def test_resource_exhaustion_is_refused(engine: ExpressionEngine, expression: str) -> None:
    refused(engine, expression)


def test_rendered_text_is_bounded(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError):
        engine.evaluate("{{ 'a' * 1000000 }}{{ 'a' * 1000000 }}", {})


def test_limits_are_configurable() -> None:
    engine = ExpressionEngine(max_output_bytes=10)
    assert engine.evaluate("{{ 'a' * 10 }}", {}) == "a" * 10
    with pytest.raises(ExpressionError):
        engine.evaluate("{{ 'a' * 11 }}", {})


def test_small_powers_still_work(engine: ExpressionEngine) -> None:
    assert engine.evaluate("{{ 2 ** 64 }}", {}) == 2**64
    assert engine.evaluate("{{ 2 ** -1 }}", {}) == 0.5


def test_the_deadline_stops_a_slow_expression() -> None:
    engine = ExpressionEngine(timeout_ms=20)
    slow = "{{ big" + " | sort('desc') | sort" * 40 + " | length }}"
    with pytest.raises(ExpressionError, match="too long"):
        engine.evaluate(slow, {"big": list(range(100_000))})


def test_jinja_default_globals_are_gone(engine: ExpressionEngine) -> None:
    for name in ("lipsum", "cycler", "joiner", "namespace", "dict"):
        assert engine.evaluate("{{ " + name + " }}", {}) is None
        with pytest.raises(ExpressionError):
            engine.compile("{{ " + name + "() }}")


def test_lists_and_dicts_cannot_be_mutated(engine: ExpressionEngine) -> None:
    items = [1]
    refused(engine, "items.append(2)")
    refused(engine, "x.update({'b': 2})")
    engine.evaluate("{{ items }}", {"items": items})
    assert items == [1]


def test_growing_jinja_filters_are_not_offered(engine: ExpressionEngine) -> None:
    for name in ("center", "indent", "wordwrap", "batch", "random"):
        with pytest.raises(ExpressionError):
            engine.compile("{{ 'x' | " + name + "(10) }}")


def test_statements_are_not_executed(engine: ExpressionEngine) -> None:
    source = "{% for i in range(10**9) %}x{% endfor %}"
    assert engine.evaluate(source + "{{ 1 }}", {}) == source + "1"


def test_deep_nesting_is_an_error_not_a_crash(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError):
        engine.compile("{{ " + "(" * 500 + "1" + ")" * 500 + " }}")
    with pytest.raises(ExpressionError):
        engine.compile("{{ " + " + ".join(["1"] * 5000) + " }}")


def test_moderately_deep_expressions_work(engine: ExpressionEngine) -> None:
    assert engine.evaluate("{{ " + " + ".join(["1"] * 150) + " }}", {}) == 150
    assert engine.evaluate("{{ 'a'" + " | upper | lower" * 60 + " }}", {}) == "a"


def _is_json(value: Any) -> bool:
    return json.loads(json.dumps(value, allow_nan=False)) == value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_arbitrary_text_is_json_or_expression_error(text: str) -> None:
    engine = ExpressionEngine()
    for source in ("{{ " + text + " }}", text):
        try:
            value = engine.evaluate(source, CONTEXT)
        except ExpressionError:
            continue
        assert _is_json(value)


TOKENS = st.sampled_from([
    "x", "s", "n", "items", "now", "uuid", "missing", "1", "0", "-1", "2.5", "'a'", "none", "true",
    "[", "]", "(", ")", "{", "}", ",", ":", ".", "|", "+", "-", "*", "/", "//", "%", "**", "~",
    "==", "<", "in", "not", "and", "or", "if", "else", "is", "upper", "length", "sort",
    "formatDate", "replace", "__class__", "mro", "format", "[0]", ".a", "'%s'", "10**9",
])  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, min_size=1, max_size=12))
def test_token_soup_is_json_or_expression_error(tokens: list[str]) -> None:
    engine = ExpressionEngine()
    try:
        value = engine.evaluate("{{ " + " ".join(tokens) + " }}", CONTEXT)
    except ExpressionError:
        return
    assert _is_json(value)


def test_binary_data_repeated_past_the_limit_is_refused(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="larger than"):
        engine.evaluate("{{ toBinary('ab') * 1000000000 }}", {})


def test_percent_formatting_of_binary_data_is_refused(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="binary data"):
        engine.evaluate("{{ toBinary('%999999999s') % 'x' }}", {})


def test_a_function_nested_in_itself_cannot_grow_text_without_bound() -> None:
    engine = ExpressionEngine(timeout_ms=60_000)  # the size limit, not the deadline, is what must stop it
    nested = "t"
    for _ in range(30):  # each escapeMarkdown doubles the backslashes: 2**30 of them at the end
        nested = f"escapeMarkdown({nested})"
    with pytest.raises(ExpressionError, match="larger than"):
        engine.evaluate("{{ " + nested + " }}", {"t": "\\"})


def test_emoji_replaced_past_the_limit_is_refused(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="longer than"):
        engine.evaluate("{{ replaceEmojiCharacters(t, r) }}", {"t": "😀" * 1000, "r": "x" * 10_000})
