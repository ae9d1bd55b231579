"""What the SQL modules need to know about one server kind, as a small object.

A ``Dialect`` names the app and its texts, quotes identifiers, numbers the
placeholders, and runs one statement through its driver (open a session,
bind, execute, map failures to contract errors). ``_modules`` builds the four
modules on top of it.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scenarist.apps.sql._params import ParamTexts
from scenarist.apps.sql._values import seconds
from scenarist.sdk import JSON, Bundle, ConnectionType, InvalidConfigurationError, RunContext


@dataclass(frozen=True)
class Outcome:
    """What one statement gave back."""

    rows: list[Mapping[str, Any]] = field(default_factory=list)
    rowcount: int = 0
    last_id: int = 0
    """The AUTO_INCREMENT value of an insert, where the server reports one (else 0)."""


class Dialect(ABC):
    """One server kind: its app's words, its SQL spelling, its driver."""

    key: str
    """The app key, also the prefix of the watch cursor's state key."""
    label: str
    description: str
    query_description: str
    insert_description: str
    params: ParamTexts
    connection_type: ConnectionType
    quote: str
    """The identifier quote character (doubled inside a name)."""
    qualifier: str
    """What may qualify a table name (``schema`` or ``database``), for messages."""

    def placeholder(self, number: int) -> str:
        """The text of parameter ``number`` (from 1) in a statement."""
        return "%s"

    def usable_identifier(self, name: str) -> bool:
        """Whether ``name`` can be quoted as an identifier."""
        return bool(name) and "\x00" not in name

    def duration(self, value: dt.timedelta) -> JSON:
        """A duration column value in JSON."""
        return seconds(value)

    @abstractmethod
    async def execute(self, ctx: RunContext, sql: str, values: Sequence[JSON], seconds: float) -> Outcome:
        """Run one statement with its JSON parameter values on the step's connection."""

    @abstractmethod
    def insert_statement(self, table: str, columns: Sequence[str]) -> str:
        """An insert of one row into the quoted ``table``, columns quoted, one placeholder each."""

    @abstractmethod
    def inserted(self, outcome: Outcome) -> Bundle:
        """The insert module's output."""

    def quote_identifier(self, name: str) -> str:
        """``name`` as a quoted identifier."""
        if not self.usable_identifier(name):
            raise InvalidConfigurationError(f"{name!r} is not a usable identifier")
        return self.quote + name.replace(self.quote, self.quote * 2) + self.quote

    def quote_table(self, name: str) -> str:
        """A table name, ``qualifier.table`` or ``table``, quoted part by part."""
        parts = name.split(".")
        if len(parts) > 2:
            raise InvalidConfigurationError(f"table {name!r}: give table or {self.qualifier}.table")
        return ".".join(self.quote_identifier(part) for part in parts)

    def slots(self, count: int, first: int = 1) -> list[str]:
        """The placeholders for ``count`` parameters numbered from ``first``."""
        return [self.placeholder(number) for number in range(first, first + count)]
