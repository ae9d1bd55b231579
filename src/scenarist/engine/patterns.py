"""Regular expressions that users write (``text:pattern`` filters, ``replace``), under a time limit.

Python's ``re`` cannot be interrupted: a pattern that backtracks
catastrophically (``(a|aa)+$`` on a long line) would hold the event loop for
hours. These patterns therefore run on the ``regex`` package in its
``VERSION0`` mode (the ``re`` dialect, with the same flag values), whose
matcher takes a timeout; past :data:`TIME_LIMIT_SECONDS` the step fails with a
``DataError``. ``regex`` is imported with this module (0.7 MB), not inside the
first expression that needs it, whose time limit the import would count.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import regex

from scenarist.sdk import DataError

TIME_LIMIT_SECONDS = 0.1
"""The longest one search or substitution may take."""


@functools.lru_cache(maxsize=512)
def compiled(pattern: str, flags: int = 0) -> Any:
    """``pattern`` compiled (cached); a ``DataError`` that quotes it when it is not valid."""
    try:
        return regex.compile(pattern, flags | regex.VERSION0)
    except regex.error as exc:
        raise DataError(f"not a valid regular expression {pattern!r}: {exc}") from None


def problem(pattern: str) -> str | None:
    """What is wrong with a constant pattern, or None."""
    try:
        compiled(pattern)
    except DataError as exc:
        return str(exc)
    return None


def search(pattern: str, text: str, flags: int = 0) -> bool:
    """Whether ``pattern`` matches anywhere in ``text``."""
    try:
        return compiled(pattern, flags).search(text, timeout=TIME_LIMIT_SECONDS) is not None
    except TimeoutError:
        raise _too_long(pattern) from None


def substitute(pattern: Any, replacement: Callable[[Any], str], text: str, count: int) -> str:
    """``text`` with the matches of a :func:`compiled` pattern replaced (``count`` 0: all)."""
    try:
        return str(pattern.sub(replacement, text, count=count, timeout=TIME_LIMIT_SECONDS))
    except TimeoutError:
        raise _too_long(pattern.pattern) from None


def _too_long(pattern: str) -> DataError:
    return DataError(f"the regular expression {pattern!r} took longer than {TIME_LIMIT_SECONDS * 1000:.0f} ms")
