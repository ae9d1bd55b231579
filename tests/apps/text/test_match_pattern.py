"""``text.match_pattern``: one bundle per match, under a time limit."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from scenarist.apps.text import HTML_TO_TEXT, MATCH_PATTERN, REPLACE, app
from scenarist.apps.text._pattern import MAX_MATCHES, MAX_TEXT_CHARS, TIME_LIMIT_SECONDS
from scenarist.sdk import DataError, ModuleSpec

CATASTROPHIC = r"(a|aa)+$"


def test_app_declares_its_three_modules() -> None:
    assert app.key == "text"
    assert [(m.key, m.kind) for m in app.modules] == [
        ("match_pattern", "search"),
        ("replace", "action"),
        ("html_to_text", "action"),
    ]


@pytest.mark.parametrize("module", [MATCH_PATTERN, REPLACE, HTML_TO_TEXT], ids=lambda m: m.key)
def test_every_param_has_a_description_and_an_example(module: ModuleSpec) -> None:
    for name, schema in module.params_schema()["properties"].items():
        assert schema.get("description"), name
        assert schema.get("examples"), name


def test_global_is_named_global_in_the_schema() -> None:
    assert "global" in MATCH_PATTERN.params_schema()["properties"]


async def test_first_match_only_by_default(run_module: Any) -> None:
    out = await run_module(MATCH_PATTERN, {"text": "a1 b22 c333", "pattern": r"\d+"})
    assert out == [{"match": "1", "index": 0, "start": 1, "end": 2, "groups": [], "named": {}}]


async def test_global_gives_one_bundle_per_match(run_module: Any) -> None:
    out = await run_module(MATCH_PATTERN, {"text": "a1 b22 c333", "pattern": r"\d+", "global": True})
    assert [(b["match"], b["index"], b["start"]) for b in out] == [("1", 0, 1), ("22", 1, 4), ("333", 2, 8)]


async def test_groups_and_named_groups(run_module: Any) -> None:
    out = await run_module(
        MATCH_PATTERN,
        {"text": "Order #42 for ada@example.com", "pattern": r"#(\d+) for (?P<user>\w+)@(?P<host>[\w.]+)"},
    )
    assert out[0]["groups"] == ["42", "ada", "example.com"]
    assert out[0]["named"] == {"user": "ada", "host": "example.com"}


async def test_a_group_that_took_no_part_is_null(run_module: Any) -> None:
    out = await run_module(MATCH_PATTERN, {"text": "ab", "pattern": r"a(x)?(?P<n>y)?b"})
    assert out[0]["groups"] == [None, None]
    assert out[0]["named"] == {"n": None}


async def test_no_match_gives_no_bundle(run_module: Any) -> None:
    assert await run_module(MATCH_PATTERN, {"text": "abc", "pattern": r"\d", "global": True}) == []


async def test_empty_text_gives_no_bundle(run_module: Any) -> None:
    assert await run_module(MATCH_PATTERN, {"text": "", "pattern": r"\w+"}) == []


async def test_case_sensitive_by_default(run_module: Any) -> None:
    assert await run_module(MATCH_PATTERN, {"text": "HELLO", "pattern": "hello"}) == []


async def test_case_insensitive_matches_other_case(run_module: Any) -> None:
    out = await run_module(MATCH_PATTERN, {"text": "HELLO", "pattern": "hello", "case_sensitive": False})
    assert out[0]["match"] == "HELLO"


async def test_multiline_anchors_at_every_line(run_module: Any) -> None:
    params = {"text": "one\ntwo\nthree", "pattern": r"^\w+$", "global": True}
    assert [b["match"] for b in await run_module(MATCH_PATTERN, params)] == []
    params["multiline"] = True
    assert [b["match"] for b in await run_module(MATCH_PATTERN, params)] == ["one", "two", "three"]


async def test_single_line_lets_the_dot_match_line_breaks(run_module: Any) -> None:
    params = {"text": "<b>x\ny</b>", "pattern": r"<b>(.*)</b>"}
    assert await run_module(MATCH_PATTERN, params) == []
    params["single_line"] = True
    assert (await run_module(MATCH_PATTERN, params))[0]["groups"] == ["x\ny"]


async def test_unicode_offsets_count_characters(run_module: Any) -> None:
    out = await run_module(MATCH_PATTERN, {"text": "žluťoučký kůň 🐎 běží", "pattern": r"\w+", "global": True})
    assert [b["match"] for b in out] == ["žluťoučký", "kůň", "běží"]
    assert out[2]["start"] == 16


async def test_unicode_case_folding(run_module: Any) -> None:
    out = await run_module(MATCH_PATTERN, {"text": "ČESKO", "pattern": "česko", "case_sensitive": False})
    assert out[0]["match"] == "ČESKO"


async def test_a_pattern_that_does_not_compile_fails_validation(run_module: Any) -> None:
    with pytest.raises(DataError, match=r"params\.pattern: .*not a valid regular expression"):
        await run_module(MATCH_PATTERN, {"text": "x", "pattern": "(unclosed"})


async def test_a_pattern_that_does_not_compile_at_run_time_is_a_data_error(module_context: Any) -> None:
    params = MATCH_PATTERN.params.model_construct(
        text="x", pattern="(unclosed", global_=False, case_sensitive=True, multiline=False, single_line=False
    )
    with pytest.raises(DataError, match="not a valid regular expression"):
        await MATCH_PATTERN.run(module_context("text.match_pattern"), params)


async def test_an_empty_pattern_is_refused(run_module: Any) -> None:
    with pytest.raises(DataError, match=r"params\.pattern"):
        await run_module(MATCH_PATTERN, {"text": "x", "pattern": ""})


async def test_catastrophic_backtracking_stops_with_a_data_error(run_module: Any) -> None:
    started = time.monotonic()
    with pytest.raises(DataError, match="ran longer than"):
        await run_module(MATCH_PATTERN, {"text": "a" * 60 + "b", "pattern": CATASTROPHIC})
    assert time.monotonic() - started < TIME_LIMIT_SECONDS + 3


async def test_nested_quantifier_on_a_near_miss_finishes_quickly(run_module: Any) -> None:
    # (a+)+$ is the textbook exponential case for re; the regex engine either
    # answers at once or is stopped by the time limit: never hangs.
    started = time.monotonic()
    try:
        out = await run_module(MATCH_PATTERN, {"text": "a" * 40 + "b", "pattern": r"(a+)+$"})
    except DataError as exc:
        assert "ran longer than" in exc.message
    else:
        assert out == []
    assert time.monotonic() - started < TIME_LIMIT_SECONDS + 3


async def test_global_search_is_limited_in_time_too(run_module: Any) -> None:
    with pytest.raises(DataError, match="ran longer than"):
        await run_module(MATCH_PATTERN, {"text": ("a" * 40 + "b\n") * 3, "pattern": CATASTROPHIC, "global": True})


async def test_the_event_loop_keeps_running_while_a_pattern_backtracks(run_module: Any) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        with pytest.raises(DataError):
            await run_module(MATCH_PATTERN, {"text": "a" * 60 + "b", "pattern": CATASTROPHIC})
    finally:
        ticker.cancel()
    assert ticks >= 10


async def test_text_over_the_size_limit_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="the limit is"):
        await run_module(MATCH_PATTERN, {"text": "a" * (MAX_TEXT_CHARS + 1), "pattern": "a"})


async def test_too_many_matches_is_a_data_error(run_module: Any) -> None:
    with pytest.raises(DataError, match="more than"):
        await run_module(MATCH_PATTERN, {"text": "a" * (MAX_MATCHES + 1), "pattern": "a", "global": True})


async def test_exactly_the_match_limit_is_allowed(run_module: Any) -> None:
    out = await run_module(MATCH_PATTERN, {"text": "a" * MAX_MATCHES, "pattern": "a", "global": True})
    assert len(out) == MAX_MATCHES
