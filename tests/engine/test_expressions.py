"""The expression language: typed values, text rendering, compile and references."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from scenarist.engine.expressions import ExpressionEngine, ExpressionError
from scenarist.sdk import DataError
from scenarist.types import ManualClock

CONTEXT: dict[str, Any] = {
    "hook": {
        "body": {
            "name": "ann",
            "amount": 12.5,
            "count": "42",
            "items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 3}],
            "tags": ["x", "y"],
            "empty": None,
            "_id": "abc",
            "flag": True,
        }
    },
    "shape": {"id": 7},
}


@pytest.fixture
def engine() -> ExpressionEngine:
    return ExpressionEngine(clock=ManualClock(datetime(2024, 3, 5, 14, 30, tzinfo=UTC)))


def ev(engine: ExpressionEngine, value: Any, context: dict[str, Any] | None = None) -> Any:
    return engine.evaluate(value, CONTEXT if context is None else context)


def test_single_expression_keeps_a_number(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.amount * 100 }}") == 1250.0


def test_single_expression_keeps_a_list(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.tags }}") == ["x", "y"]


def test_single_expression_keeps_an_object(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ shape }}") == {"id": 7}


def test_single_expression_keeps_null(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.empty }}") is None


def test_text_that_looks_like_a_number_stays_text(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.count }}") == "42"
    assert ev(engine, "{{ '[1, 2]' }}") == "[1, 2]"


def test_whitespace_around_a_single_expression_is_allowed(engine: ExpressionEngine) -> None:
    assert ev(engine, "  {{ shape.id }}\n") == 7


def test_mixed_text_renders_to_text(engine: ExpressionEngine) -> None:
    assert ev(engine, "Hi {{ hook.body.name }}, {{ shape.id }}!") == "Hi ann, 7!"


def test_rendering_writes_null_as_empty(engine: ExpressionEngine) -> None:
    assert ev(engine, "[{{ hook.body.empty }}]") == "[]"


def test_rendering_writes_objects_and_lists_as_compact_json(engine: ExpressionEngine) -> None:
    assert ev(engine, "a={{ shape }} b={{ hook.body.tags }}") == 'a={"id":7} b=["x","y"]'


def test_rendering_writes_booleans_as_json(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.flag }}/{{ not hook.body.flag }}") == "true/false"


def test_two_expressions_render_to_text(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ shape.id }}{{ shape.id }}") == "77"


def test_missing_variable_is_null(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ nobody }}") is None


def test_missing_keys_chain_to_null(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.missing.deeper }}") is None
    assert ev(engine, "{{ hook.body.missing['deeper'][0].x }}") is None


def test_keys_by_dot_or_brackets(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook['body'].items[1]['sku'] }}") == "b"


def test_indices_are_zero_based_and_negative_from_the_end(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.tags[0] }}{{ hook.body.tags[-1] }}") == "xy"
    assert ev(engine, "{{ hook.body.tags.1 }}") == "y"


def test_index_past_the_end_is_null(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.tags[5] }}") is None


def test_slices(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.name[1:] }}") == "nn"


def test_data_keys_starting_with_underscore_are_data(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body._id }}") == "abc"


def test_a_key_named_like_a_dict_method_is_the_key(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.items | length }}") == 2


def test_dict_methods_work_when_no_key_has_their_name(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ shape.keys() | list }}") == ["id"]


def test_string_methods(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.name.upper().startswith('A') }}") is True


def test_arithmetic_and_comparison(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ (shape.id + 3) // 2 - 1 }}") == 4
    assert ev(engine, "{{ 1 < shape.id <= 7 }}") is True
    assert ev(engine, "{{ 1 < shape.id < 3 }}") is False


def test_in_and_not_in(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ 'x' in hook.body.tags and 'z' not in hook.body.tags }}") is True


def test_in_null_is_false(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ 'x' in hook.body.empty }}") is False


def test_conditional_expression(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ 'big' if hook.body.amount > 10 else 'small' }}") == "big"
    assert ev(engine, "{{ 'big' if hook.body.amount > 100 }}") is None


def test_and_or_return_operands(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.empty or 'fallback' }}") == "fallback"


def test_tilde_concatenates_as_text(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ 'n=' ~ shape.id ~ hook.body.empty }}") == "n=7"


def test_literals(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ {'a': [1, 2.5, true, none], 'b': (1, 2)} }}") == {
        "a": [1, 2.5, True, None],
        "b": [1, 2],
    }


def test_braces_inside_an_expression(engine: ExpressionEngine) -> None:
    assert ev(engine, '{{ {"a": {"b": 1}} }}') == {"a": {"b": 1}}
    assert ev(engine, '{{ "}}" }} and {{ "{{" }}') == "}} and {{"


def test_block_tags_are_literal_text(engine: ExpressionEngine) -> None:
    assert ev(engine, "{% if x %}{{ shape.id }}{# c #}") == "{% if x %}7{# c #}"


def test_string_without_braces_is_constant(engine: ExpressionEngine) -> None:
    compiled = engine.compile("plain {% text %}")
    assert compiled.is_constant
    assert compiled.evaluate({}) == "plain {% text %}"


def test_filters_and_functions_are_the_same(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.name | upper }}") == ev(engine, "{{ upper(hook.body.name) }}")


def test_filters_with_arguments(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.tags | join('-') }}") == "x-y"


def test_jinja_filters_still_work(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ hook.body.missing | default('d') }}") == "d"
    assert ev(engine, "{{ [3, 1] | reverse | list }}") == [1, 3]
    assert ev(engine, "{{ 'a b' | title }}") == "A B"
    assert ev(engine, "{{ [1, 2, 3, 4] | select('odd') | list }}") == [1, 3]
    assert ev(engine, "{{ hook.body.items | selectattr('qty', 'gt', 2) | list }}") == [
        {"sku": "b", "qty": 3}
    ]


def test_jinja_tests(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ shape.id is odd }}") is True
    assert ev(engine, "{{ hook.body.empty is defined }}") is False
    assert ev(engine, "{{ hook.body.name is string }}") is True


def test_generators_become_lists(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ [2, 1, 2] | unique }}") == [2, 1]


def test_now_is_a_variable_reading_the_clock(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ now }}") == "2024-03-05T14:30:00.000Z"
    assert ev(engine, "{{ now() }}") == "2024-03-05T14:30:00.000Z"


def test_now_follows_the_clock() -> None:
    clock = ManualClock(datetime(2024, 1, 1, tzinfo=UTC))
    engine = ExpressionEngine(clock=clock)
    compiled = engine.compile("{{ now | formatDate('YYYY-MM-DD') }}")
    clock.advance(86400)
    assert compiled.evaluate({}) == "2024-01-02"


def test_uuid_is_a_variable(engine: ExpressionEngine) -> None:
    first, second = ev(engine, "{{ uuid }}"), ev(engine, "{{ uuid }}")
    assert len(first) == 36 and first != second


def test_datetimes_become_iso_text_in_utc(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ addHours(now, 1) }}") == "2024-03-05T15:30:00.000Z"
    assert ev(engine, "at {{ now }}") == "at 2024-03-05T14:30:00.000Z"


def test_nested_values_are_walked(engine: ExpressionEngine) -> None:
    value = {"a": "{{ shape.id }}", "b": ["x", "{{ hook.body.name }}"], "c": 1}
    assert ev(engine, value) == {"a": 7, "b": ["x", "ann"], "c": 1}


def test_nested_constant_is_constant_and_copied(engine: ExpressionEngine) -> None:
    value = {"a": [1, {"b": 2}]}
    compiled = engine.compile(value)
    assert compiled.is_constant
    result = compiled.evaluate({})
    assert result == value and result is not value and result["a"] is not value["a"]


def test_nested_value_with_expression_is_not_constant(engine: ExpressionEngine) -> None:
    assert not engine.compile({"a": ["{{ x }}"]}).is_constant


def test_compiled_value_evaluates_many_times(engine: ExpressionEngine) -> None:
    compiled = engine.compile("{{ n * 2 }}")
    assert [compiled.evaluate({"n": n}) for n in range(3)] == [0, 2, 4]


def test_evaluate_caches_compiled_strings(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ shape.id }}") == ev(engine, "{{ shape.id }}") == 7


def test_syntax_error_names_the_path(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError) as caught:
        engine.compile({"variables": {"name_upper": "{{ hook.body.name | }}"}})
    assert caught.value.path == "variables.name_upper"
    assert "hook.body.name" in caught.value.message


def test_syntax_error_in_a_list_names_the_index(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError) as caught:
        engine.compile({"items": ["ok", "{{ ok }}", "{{ (1 }}"]})
    assert caught.value.path == "items[2]"


def test_syntax_error_at_the_root_has_an_empty_path(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError) as caught:
        engine.compile("{{ 1 + }}")
    assert caught.value.path == ""


def test_unclosed_braces_are_an_error(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="never closed"):
        engine.compile("{{ shape.id ")


def test_empty_expression_is_an_error(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError):
        engine.compile("{{ }}")


def test_unknown_filter_is_a_compile_error(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="no function or filter named 'nope'"):
        engine.compile("{{ 1 | nope }}")


def test_unknown_function_is_a_compile_error(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="no function named 'nope'"):
        engine.compile("{{ nope(1) }}")


def test_evaluation_error_is_a_data_error_with_path(engine: ExpressionEngine) -> None:
    with pytest.raises(DataError) as caught:
        engine.evaluate({"x": {"y": "{{ 1 / 0 }}"}}, {})
    assert isinstance(caught.value, ExpressionError)
    assert caught.value.path == "x.y"
    assert "1 / 0" in caught.value.message and "division by zero" in caught.value.message


def test_type_errors_are_data_errors(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError):
        ev(engine, "{{ hook.body.name - 1 }}")


def test_a_function_is_not_a_json_value(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError, match="not a JSON value"):
        ev(engine, "{{ hook.body.name.upper }}")


def test_error_reports_the_contract_type_data_error(engine: ExpressionEngine) -> None:
    with pytest.raises(ExpressionError) as caught:
        engine.evaluate({"a": "{{ 1 / 0 }}"}, {})
    assert caught.value.to_dict()["type"] == "DataError"


def test_references_lists_root_names(engine: ExpressionEngine) -> None:
    value = {"a": "{{ hook.body.x }}", "b": ["{{ shape.id | formatDate('YYYY') }} {{ now }}"]}
    assert engine.references(value) == {"hook", "shape"}


def test_references_exclude_functions_now_and_uuid(engine: ExpressionEngine) -> None:
    assert engine.references("{{ upper(uuid) ~ sum(1, 2) ~ now }}") == set()


def test_references_of_constants_is_empty(engine: ExpressionEngine) -> None:
    assert engine.references({"a": "plain", "b": 3}) == set()


def test_function_names_win_over_context_keys(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ upper('a') }}", {"upper": "shadow"}) == "A"


def test_keyword_arguments(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ [3, 1, 2] | sort(reverse=true) }}") == [3, 2, 1]


def test_whole_floats_render_like_javascript(engine: ExpressionEngine) -> None:
    assert ev(engine, "{{ 10 / 4 }} {{ 10 / 2 }}") == "2.5 5"
    assert ev(engine, "{{ 10 / 2 }}") == 5.0
