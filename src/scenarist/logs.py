"""Structured logs (structlog) as JSON lines on stderr, with secrets redacted.

Every ``scenarist`` command configures them before it does anything else, so
that nothing but a command's own output reaches stdout (``run --json`` prints
one JSON document and nothing else). The level is ``--log-level`` or
``SCENARIST_LOG_LEVEL`` (``info`` by default: debug lines are not shown).
The standard library's loggers (the client libraries') go to stderr too, at
``warning`` or the level asked for when it is higher.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SECRET_KEYS = re.compile(r"pass(word)?|secret|token|authorization|cookie|api[_-]?key", re.IGNORECASE)
REDACTED = "**********"


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Hide the values of keys that name secrets."""
    for key in list(event):
        if key != "event" and SECRET_KEYS.search(key):
            event[key] = REDACTED
    return event


LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR,
          "critical": logging.CRITICAL}
"""The names ``--log-level`` and ``SCENARIST_LOG_LEVEL`` accept."""


def level_named(name: str) -> int:
    """The ``logging`` level of one of ``LEVELS``' names (any letter case); ValueError for another."""
    try:
        return LEVELS[name.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown log level {name!r}; use one of {', '.join(LEVELS)}") from None


def configure_logging(level: int = logging.INFO) -> None:
    """structlog's JSON lines and the standard library's records, both to stderr, from ``level`` up."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_scenarist", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._scenarist = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(max(level, logging.WARNING))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
