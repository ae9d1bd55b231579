"""Data stores, as a module sees them: ``ctx.data_stores``, scoped to the run's account.

A data store holds records by key, each checked against the store's
structure (its typed fields). Every record comes out as the bundle
``{"key": str, "data": {field: value}}``.

A filter is a list of OR-groups, each a list of AND-conditions::

    [[{"field": "status", "operator": "equal", "value": "paid"},
      {"field": "amount", "operator": "greater", "value": 100}],
     [{"field": "key", "operator": "starts_with", "value": "vip-"}]]

reads "(status = paid AND amount > 100) OR key starts with vip-". An empty
filter matches every record. ``field`` is a field of the structure (a dotted
path reaches into a collection: ``address.city``) or ``key``; ``operator`` is
one of ``OPERATORS``; ``value`` is converted to the field's type;
``ignore_case: true`` makes the text operators ignore case.

Errors: a store that is not the account's raises ``InvalidConfigurationError``;
a record that does not fit the structure, a bad filter or a write past the
store's limits raise ``DataError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from scenarist.sdk._types import Bundle

OPERATORS = (
    "equal", "not_equal", "greater", "greater_or_equal", "less", "less_or_equal",
    "contains", "not_contains", "starts_with", "ends_with", "exists", "not_exists",
)
"""The operators of a filter condition."""

Filter = Sequence[Sequence[Mapping[str, Any]]]
"""OR-groups of AND-conditions ``{"field", "operator", "value"?, "ignore_case"?}``."""


class DataStores(Protocol):
    """The data stores of the run's account."""

    async def get(self, store_id: str, key: str) -> Bundle | None:
        """The record ``{"key", "data"}``; None when the store has no record with that key."""
        ...

    async def add(
        self, store_id: str, data: Mapping[str, Any], *, key: str | None = None, overwrite: bool = False
    ) -> Bundle:
        """Write a record (a generated key when ``key`` is None); the record as stored.
        A taken key is replaced with ``overwrite``, else ``DataError``."""
        ...

    async def update(
        self, store_id: str, key: str, data: Mapping[str, Any], *, insert_missing: bool = False
    ) -> Bundle | None:
        """Merge ``data`` into the record's fields (a null value removes the field); the record as
        stored. A missing record is added with ``insert_missing``, else None."""
        ...

    async def search(
        self, store_id: str, filter: Filter = (), *, sort_by: str | None = None, descending: bool = False,
        limit: int | None = None,
    ) -> list[Bundle]:
        """The records that match, by key or sorted by a field (records without it last), at most ``limit``."""
        ...

    async def count(self, store_id: str, filter: Filter = ()) -> int:
        """How many records match."""
        ...

    async def delete(self, store_id: str, key: str) -> bool:
        """Delete a record; False when there was none."""
        ...

    async def clear(self, store_id: str) -> int:
        """Delete every record of the store; how many."""
        ...
