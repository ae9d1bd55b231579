"""Data store: keep records between runs, in the account's data stores (Make's data stores).

Create a store with its structure through the API (``POST /api/v1/data-stores``);
each module names it by id in ``data_store``. A record comes out as
``{"key", "data"}``. Records are checked against the store's structure: an
unknown field, a value its field's type cannot take or a missing required
field fails the step with ``DataError`` naming the path (``data.amount:
expected a number``), as does a write past the store's limits. A store that is
not the account's fails it with ``InvalidConfigurationError``.

``get_record`` of a missing key outputs an empty bundle ``{}`` (the flow goes
on; ``check_record_exists`` tells whether there is one); ``search_records``
outputs one bundle per record found, none when nothing matches.
"""

from __future__ import annotations

from scenarist.apps.datastore._params import (
    AddRecordParams,
    CountRecordsParams,
    KeyParams,
    SearchRecordsParams,
    StoreParams,
    UpdateRecordParams,
)
from scenarist.sdk import (
    AccountObject,
    App,
    Bundle,
    DataError,
    DataStores,
    InvalidConfigurationError,
    ModuleSpec,
    RunContext,
)


def _stores(ctx: RunContext) -> DataStores:
    if ctx.data_stores is None:
        raise InvalidConfigurationError("data stores can only be used inside the engine")
    return ctx.data_stores


async def add_record(ctx: RunContext, params: AddRecordParams) -> Bundle:
    key = params.key or None  # an empty key (an expression that found nothing) means "generate one"
    return await _stores(ctx).add(params.data_store, params.data, key=key, overwrite=params.overwrite)


async def update_record(ctx: RunContext, params: UpdateRecordParams) -> Bundle:
    stores = _stores(ctx)
    record = await stores.update(params.data_store, params.key, params.data, insert_missing=params.insert_missing)
    if record is None:
        raise DataError(f"no record with key {params.key!r} to update (insert_missing adds it)")
    return record


async def get_record(ctx: RunContext, params: KeyParams) -> Bundle:
    return await _stores(ctx).get(params.data_store, params.key) or {}


async def check_record_exists(ctx: RunContext, params: KeyParams) -> Bundle:
    return {"exists": await _stores(ctx).get(params.data_store, params.key) is not None}


async def search_records(ctx: RunContext, params: SearchRecordsParams) -> list[Bundle]:
    conditions = [[c.model_dump() for c in group] for group in params.filter]
    sort = params.sort
    return await _stores(ctx).search(params.data_store, conditions, sort_by=sort.field if sort else None,
                                     descending=sort is not None and sort.direction == "desc", limit=params.limit)


async def count_records(ctx: RunContext, params: CountRecordsParams) -> Bundle:
    conditions = [[c.model_dump() for c in group] for group in params.filter]
    return {"count": await _stores(ctx).count(params.data_store, conditions)}


async def delete_record(ctx: RunContext, params: KeyParams) -> Bundle:
    return {"key": params.key, "deleted": await _stores(ctx).delete(params.data_store, params.key)}


async def delete_all_records(ctx: RunContext, params: StoreParams) -> Bundle:
    return {"deleted": await _stores(ctx).clear(params.data_store)}


_STORE: dict[str, AccountObject] = {"data_store": "data_store"}
"""Every module names its store by id in ``data_store``: a save checks the account has it."""

app = App(
    key="datastore",
    label="Data store",
    description="Keep records between runs in the account's data stores: add, update, get, search, count, delete.",
    modules=(
        ModuleSpec("add_record", "Add/replace a record", "Write a record under a key (a new key when none is "
                   "given); outputs {key, data}.", AddRecordParams, add_record, account_objects=_STORE),
        ModuleSpec("update_record", "Update a record", "Change some fields of a record, optionally adding it "
                   "when missing; outputs {key, data}.", UpdateRecordParams, update_record, account_objects=_STORE),
        ModuleSpec("get_record", "Get a record", "Outputs the record {key, data}, or an empty bundle when there is "
                   "no record with the key.", KeyParams, get_record, account_objects=_STORE),
        ModuleSpec("check_record_exists", "Check the existence of a record", "Outputs {exists}.", KeyParams,
                   check_record_exists, account_objects=_STORE),
        ModuleSpec("search_records", "Search records", "Outputs one bundle {key, data} per record that matches "
                   "the filter, sorted, at most limit.", SearchRecordsParams, search_records, kind="search",
                   account_objects=_STORE),
        ModuleSpec("count_records", "Count records", "Outputs {count} of the records that match the filter.",
                   CountRecordsParams, count_records, account_objects=_STORE),
        ModuleSpec("delete_record", "Delete a record", "Outputs {key, deleted}; deleted is false when there was "
                   "no record with the key.", KeyParams, delete_record, account_objects=_STORE),
        ModuleSpec("delete_all_records", "Delete all records", "Empties the store; outputs {deleted}.",
                   StoreParams, delete_all_records, account_objects=_STORE),
    ),
)

__all__ = ["app"]
