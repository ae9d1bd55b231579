"""``text.replace``: regular expression replacement with a time limit."""

from __future__ import annotations

import time
from typing import Any

import pytest

from scenarist.apps.text import REPLACE
from scenarist.apps.text._pattern import MAX_RESULT_CHARS, TIME_LIMIT_SECONDS
from scenarist.sdk import DataError


async def test_replaces_every_match_by_default(run_module: Any) -> None:
    out = await run_module(REPLACE, {"text": "a1 b22 c333", "pattern": r"\d+", "replacement": "#"})
    assert out == {"text": "a# b# c#", "count": 3}


async def test_global_false_replaces_the_first_match_only(run_module: Any) -> None:
    out = await run_module(REPLACE, {"text": "a1 b2", "pattern": r"\d", "replacement": "#", "global": False})
    assert out == {"text": "a# b2", "count": 1}


async def test_groups_in_the_replacement(run_module: Any) -> None:
    out = await run_module(
        REPLACE,
        {"text": "2024-03-15", "pattern": r"(\d+)-(\d+)-(?P<day>\d+)", "replacement": r"\g<day>.\2.\1"},
    )
    assert out["text"] == "15.03.2024"


async def test_no_match_leaves_the_text_as_is(run_module: Any) -> None:
    assert await run_module(REPLACE, {"text": "abc", "pattern": r"\d", "replacement": "#"}) == {
        "text": "abc",
        "count": 0,
    }


async def test_empty_text(run_module: Any) -> None:
    assert await run_module(REPLACE, {"text": "", "pattern": "x", "replacement": "y"}) == {"text": "", "count": 0}


async def test_case_insensitive_replace(run_module: Any) -> None:
    out = await run_module(
        REPLACE, {"text": "Cat cat CAT", "pattern": "cat", "replacement": "dog", "case_sensitive": False}
    )
    assert out["text"] == "dog dog dog"


async def test_unicode_replacement(run_module: Any) -> None:
    out = await run_module(REPLACE, {"text": "naïve café", "pattern": r"é|ï", "replacement": "✓"})
    assert out["text"] == "na✓ve caf✓"


async def test_a_reference_to_a_missing_group_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="replacement is not valid"):
        await run_module(REPLACE, {"text": "ab", "pattern": "(a)", "replacement": r"\3"})


async def test_a_bad_escape_in_the_replacement_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="replacement is not valid"):
        await run_module(REPLACE, {"text": "ab", "pattern": "a", "replacement": r"\q"})


async def test_a_pattern_that_does_not_compile_fails_validation(run_module: Any) -> None:
    with pytest.raises(DataError, match=r"params\.pattern: .*not a valid regular expression"):
        await run_module(REPLACE, {"text": "x", "pattern": "[a-", "replacement": ""})


async def test_catastrophic_backtracking_stops_with_a_data_error(run_module: Any) -> None:
    started = time.monotonic()
    with pytest.raises(DataError, match="ran longer than"):
        await run_module(REPLACE, {"text": "a" * 60 + "b", "pattern": r"(a|aa)+$", "replacement": ""})
    assert time.monotonic() - started < TIME_LIMIT_SECONDS + 3


async def test_a_result_over_the_size_limit_is_a_data_error(run_module: Any) -> None:
    replacement = "b" * (MAX_RESULT_CHARS // 10_000 + 1)
    with pytest.raises(DataError, match="longer than"):
        await run_module(REPLACE, {"text": "a" * 10_000, "pattern": "a", "replacement": replacement})
