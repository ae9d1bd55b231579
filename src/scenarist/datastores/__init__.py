"""Data stores (Make's): keyed records with a typed structure, kept per account, used by scenarios.

- ``definition``: the structure (typed fields) and limits of a store, and how
  they may change while it holds records;
- ``records``: a record checked against the structure, its values converted;
- ``query``: filters and sorts, one semantics on every database;
- ``service``: ``AccountDataStores``, the SDK's ``DataStores`` on the store,
  which the engine hands modules as ``ctx.data_stores``.

The store (``Store.write_data_record``) keeps each store's record count and
size and checks the limits under the store's lock.
"""

from __future__ import annotations

from collections.abc import Callable

from scenarist.datastores.service import AccountDataStores
from scenarist.sdk import DataStores
from scenarist.store.ports import Store
from scenarist.types import AccountId, Clock


def data_stores_on(store: Store, clock: Clock) -> Callable[[AccountId], DataStores]:
    """What ``Services.data_stores`` is: an account's data stores, by account id."""

    def for_account(account_id: AccountId) -> DataStores:
        return AccountDataStores(store, account_id, clock)

    return for_account


__all__ = ["AccountDataStores", "data_stores_on"]
