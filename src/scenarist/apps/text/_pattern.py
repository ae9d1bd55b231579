"""``text.match_pattern`` and ``text.replace``: regular expressions under a time limit.

Patterns use Python's syntax and run on the ``regex`` package in its ``VERSION0``
mode (the ``re`` dialect), because its matcher takes a timeout: ``re`` cannot be
interrupted, so a pattern that backtracks catastrophically (``(a|aa)+$`` on a
long line) would hold a worker thread and the GIL for hours. Matching runs in a
worker thread with the GIL released (``concurrent=True``) so the event loop goes
on meanwhile; past ``TIME_LIMIT_SECONDS`` it stops with a ``DataError``.

Limits: the text is at most ``MAX_TEXT_CHARS`` characters, the pattern at most
``MAX_PATTERN_CHARS``, a search yields at most ``MAX_MATCHES`` bundles and a
replacement grows the text to at most ``MAX_RESULT_CHARS``.

``regex`` is imported where a pattern is first compiled (checking params or
running a module), not when the catalogue is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scenarist.sdk import Bundle, DataError, RunContext, run_blocking

if TYPE_CHECKING:
    import regex

MAX_TEXT_CHARS = 1_000_000
MAX_PATTERN_CHARS = 10_000
MAX_MATCHES = 10_000
MAX_RESULT_CHARS = 10_000_000
TIME_LIMIT_SECONDS = 1.0


class PatternParams(BaseModel):
    """The text, the pattern and the flags shared by both modules."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)

    text: str = Field(
        description=f"The text to search (at most {MAX_TEXT_CHARS:,} characters).",
        examples=["Order #42 shipped to ada@example.com"],
    )
    pattern: str = Field(
        min_length=1,
        max_length=MAX_PATTERN_CHARS,
        description="A regular expression in Python's syntax; (?P<name>...) names a group. "
        f"Matching stops with an error after {TIME_LIMIT_SECONDS:g} s.",
        examples=[r"#(?P<order>\d+)"],
    )
    global_: bool = Field(
        default=False,
        alias="global",
        description="Every match instead of the first one only.",
        examples=[True],
    )
    case_sensitive: bool = Field(
        default=True,
        description="Letter case must match; when false, 'a' also matches 'A'.",
        examples=[False],
    )
    multiline: bool = Field(
        default=False,
        description="^ and $ match at the start and end of every line, not only of the text.",
        examples=[False],
    )
    single_line: bool = Field(
        default=False,
        description="The dot also matches a line break.",
        examples=[False],
    )

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        import regex

        try:
            regex.compile(value, regex.VERSION0)
        except regex.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value


class MatchParams(PatternParams):
    """Find the first match (or every match) of a pattern."""


class ReplaceParams(PatternParams):
    """Replace the first match (or every match) of a pattern."""

    replacement: str = Field(
        description=r"What each match becomes; \1 or \g<1> inserts a group, \g<name> a named group.",
        examples=[r"order \g<order>"],
    )
    global_: bool = Field(
        default=True,
        alias="global",
        description="Replace every match; when false only the first one.",
        examples=[True],
    )


def compile_pattern(params: PatternParams) -> regex.Pattern[str]:
    """The pattern compiled with the params' flags; ``DataError`` when it is not valid."""
    import regex

    if len(params.text) > MAX_TEXT_CHARS:
        raise DataError(f"the text has {len(params.text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
    flags = regex.VERSION0
    if not params.case_sensitive:
        flags |= regex.IGNORECASE
    if params.multiline:
        flags |= regex.MULTILINE
    if params.single_line:
        flags |= regex.DOTALL
    try:
        return regex.compile(params.pattern, flags)
    except regex.error as exc:
        raise DataError(f"the pattern is not a valid regular expression: {exc}") from exc


def _too_slow() -> DataError:
    return DataError(
        f"the pattern ran longer than {TIME_LIMIT_SECONDS:g} s on this text and was stopped; "
        "nested repetition such as (a|aa)+ backtracks without end, simplify the pattern"
    )


def _bundle(match: Any, index: int) -> Bundle:
    return {
        "match": match.group(0),
        "index": index,
        "start": match.start(),
        "end": match.end(),
        "groups": list(match.groups()),
        "named": match.groupdict(),
    }


def find_matches(compiled: regex.Pattern[str], text: str, every: bool) -> list[Bundle]:
    """One bundle per match (the first one only unless ``every``); blocking."""
    try:
        if not every:
            found = compiled.search(text, timeout=TIME_LIMIT_SECONDS, concurrent=True)
            return [] if found is None else [_bundle(found, 0)]
        bundles: list[Bundle] = []
        for index, match in enumerate(compiled.finditer(text, timeout=TIME_LIMIT_SECONDS, concurrent=True)):
            if index == MAX_MATCHES:
                raise DataError(f"the pattern matches more than {MAX_MATCHES:,} times; narrow it down")
            bundles.append(_bundle(match, index))
        return bundles
    except TimeoutError as exc:
        raise _too_slow() from exc


def replace_matches(compiled: regex.Pattern[str], text: str, template: str, every: bool) -> tuple[str, int]:
    """The text with the matches replaced, and how many were; blocking."""
    import regex

    grown = 0

    def expand(match: Any) -> str:
        nonlocal grown
        try:
            value: str = match.expand(template)
        except (regex.error, IndexError) as exc:
            raise DataError(f"the replacement is not valid: {exc}") from exc
        grown += len(value) - (match.end() - match.start())
        if len(text) + grown > MAX_RESULT_CHARS:
            raise DataError(f"the result would be longer than {MAX_RESULT_CHARS:,} characters")
        return value

    try:
        result, count = compiled.subn(
            expand, text, count=0 if every else 1, timeout=TIME_LIMIT_SECONDS, concurrent=True
        )
    except TimeoutError as exc:
        raise _too_slow() from exc
    return result, count


async def match_pattern(ctx: RunContext, params: MatchParams) -> list[Bundle]:
    """One bundle per match: ``{match, index, start, end, groups, named}``."""
    compiled = compile_pattern(params)
    return await run_blocking(find_matches, compiled, params.text, params.global_)


async def replace(ctx: RunContext, params: ReplaceParams) -> Bundle:
    """``{text, count}``: the new text and the number of matches replaced."""
    compiled = compile_pattern(params)
    text, count = await run_blocking(replace_matches, compiled, params.text, params.replacement, params.global_)
    return {"text": text, "count": count}
