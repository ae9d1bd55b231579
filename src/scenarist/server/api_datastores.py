"""Data stores: create, list, read, change, delete; their records: list in pages, read, write, delete.

A store's structure and limits are checked here (422 with the path:
``structure[2].type``, ``max_records``); a limit above the server's cap
(``SCENARIST_DATA_STORE_MAX_RECORDS``, ``_MAX_BYTES``) is refused, an omitted one
is the cap. ``PUT`` changes what it is given. While a store holds records, a
structure change that a record might not fit, or a limit below what it holds,
answers 409 with the path (``scenarist.datastores.definition``). The account's
quota (``SCENARIST_DATA_STORES_PER_ACCOUNT``, ``_DATA_STORE_ACCOUNT_MAX_BYTES``)
is checked by the store under the account's lock, at a create and at a ``PUT``
raising ``max_size_bytes``: 409 past it. Records written here pass the same
checks as the modules' writes (``AccountDataStores``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from scenarist.datastores.definition import MAX_FIELDS, DefinitionConflict, FieldSpec, redefine, structure_json
from scenarist.datastores.definition import structure_problems as _structure_problems
from scenarist.datastores.records import RecordInvalid, key_problem
from scenarist.datastores.service import AccountDataStores, StoreFull, can_be_id
from scenarist.engine.documents import iso
from scenarist.sdk import DataError, InvalidConfigurationError
from scenarist.server.deps import account_id, runtime
from scenarist.server.errors import ApiError, not_found, require_storable
from scenarist.server.runtime import Runtime
from scenarist.store.ports import DATA_KEY_MAX_LENGTH, DataRecord, DataStoreQuotaExceeded, DataStoreRecord
from scenarist.types import new_id

router = APIRouter(tags=["data stores"])

Account = Annotated[str, Depends(account_id)]
Rt = Annotated[Runtime, Depends(runtime)]


def _name(**default: Any) -> Any:
    return Field(min_length=1, max_length=200, description="A name to tell data stores apart.", examples=["Orders"],
                 **default)


def _structure_field(**default: Any) -> Any:
    return Field(min_length=1, max_length=MAX_FIELDS, description="The fields a record may have.",
                 examples=[[{"name": "status", "type": "text", "required": True},
                            {"name": "amount", "type": "number"}]], **default)


MAX_RECORDS = Field(default=None, ge=1, description="The most records the store may hold; omitted: the "
                    "server's cap.", examples=[1000])
MAX_SIZE = Field(default=None, ge=1, description="The most bytes of records (compact JSON) the store may hold; "
                 "omitted: the server's cap.", examples=[1048576])


class DataStoreCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = _name()
    structure: list[FieldSpec] = _structure_field()
    max_records: int | None = MAX_RECORDS
    max_size_bytes: int | None = MAX_SIZE


class DataStoreUpdate(BaseModel):
    """What to change; what is omitted stays."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = _name(default=None)
    structure: list[FieldSpec] | None = _structure_field(default=None)
    max_records: int | None = MAX_RECORDS
    max_size_bytes: int | None = MAX_SIZE


class DataStorePublic(BaseModel):
    id: str
    name: str
    structure: list[dict[str, Any]]
    max_records: int
    max_size_bytes: int
    record_count: int
    size_bytes: int
    """The records' data as compact UTF-8 JSON, summed: what ``max_size_bytes`` limits."""
    created_at: str | None
    updated_at: str | None


class RecordWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data: dict[str, Any] = Field(description="The record's fields, checked against the store's structure.",
                                 examples=[{"status": "paid", "amount": 120}])


class RecordPublic(BaseModel):
    key: str
    data: dict[str, Any]
    created_at: str | None
    updated_at: str | None


def public(record: DataStoreRecord) -> DataStorePublic:
    return DataStorePublic(
        id=record.id, name=record.name, structure=record.structure, max_records=record.max_records,
        max_size_bytes=record.max_bytes, record_count=record.record_count, size_bytes=record.size_bytes,
        created_at=iso(record.created_at), updated_at=iso(record.updated_at),
    )


def public_record(record: DataRecord) -> RecordPublic:
    return RecordPublic(key=record.key, data=record.data, created_at=iso(record.created_at),
                        updated_at=iso(record.updated_at))


def _capped(rt: Runtime, max_records: int | None, max_size_bytes: int | None) -> None:
    """422 for a limit above the server's cap."""
    caps = (("max_records", max_records, rt.settings.data_store_max_records),
            ("max_size_bytes", max_size_bytes, rt.settings.data_store_max_bytes))
    for path, value, cap in caps:
        if value is not None and value > cap:
            raise ApiError(422, f"{path}: at most {cap} on this server", path=path)


def _over_quota(exc: DataStoreQuotaExceeded) -> ApiError:
    """409 saying what the account has and what it may have, so that the user knows what to delete or lower."""
    quota = exc.quota
    if exc.limit == "max_stores":
        most = "the most" if exc.stores == quota.max_stores else f"more than the {quota.max_stores}"
        return ApiError(409, f"this account has {exc.stores} data stores, {most} it may have: delete one to "
                        "create another")
    left = max(quota.max_bytes - exc.others_bytes, 0)
    return ApiError(409, f"max_size_bytes: the limits of this account's data stores may add up to "
                    f"{quota.max_bytes} bytes; its other stores take {exc.others_bytes}, which leaves {left} "
                    "for this one", path="max_size_bytes")


def _structure(fields: list[FieldSpec]) -> list[dict[str, Any]]:
    """The structure as stored; 422 naming the field whose name is taken or reserved."""
    problems = _structure_problems(fields)
    if problems:
        raise ApiError(422, f"{problems[0].path}: {problems[0].message}", path=problems[0].path)
    structure = structure_json(fields)
    require_storable(structure, "structure")
    return structure


async def _get(rt: Runtime, account: str, store_id: str) -> DataStoreRecord:
    found = await rt.store.get_data_store(account, store_id) if can_be_id(store_id) else None
    if found is None:
        raise not_found("data store")
    return found


QUOTA: dict[int | str, dict[str, Any]] = {409: {
    "description": "Over the account's quota, or a change the records held do not fit."}}


@router.post("/data-stores", status_code=201, response_model=DataStorePublic, responses=QUOTA)
async def create_data_store(body: DataStoreCreate, account: Account, rt: Rt) -> DataStorePublic:
    require_storable(body.name, "name")
    _capped(rt, body.max_records, body.max_size_bytes)
    now = rt.clock.now()
    record = DataStoreRecord(
        id=new_id(), account_id=account, name=body.name, structure=_structure(body.structure),
        max_records=body.max_records or rt.settings.data_store_max_records,
        max_bytes=body.max_size_bytes or rt.settings.data_store_max_bytes, created_at=now, updated_at=now,
    )
    try:
        await rt.store.create_data_store(record, rt.settings.data_store_quota())
    except DataStoreQuotaExceeded as exc:
        raise _over_quota(exc) from None
    return public(record)


@router.get("/data-stores", response_model=list[DataStorePublic])
async def list_data_stores(account: Account, rt: Rt) -> list[DataStorePublic]:
    return [public(record) for record in await rt.store.list_data_stores(account)]


@router.get("/data-stores/{data_store_id}", response_model=DataStorePublic)
async def get_data_store(data_store_id: str, account: Account, rt: Rt) -> DataStorePublic:
    return public(await _get(rt, account, data_store_id))


@router.put("/data-stores/{data_store_id}", response_model=DataStorePublic, responses=QUOTA)
async def update_data_store(data_store_id: str, body: DataStoreUpdate, account: Account, rt: Rt) -> DataStorePublic:
    await _get(rt, account, data_store_id)
    if body.name is not None:
        require_storable(body.name, "name")
    _capped(rt, body.max_records, body.max_size_bytes)
    structure = None if body.structure is None else _structure(body.structure)
    now = rt.clock.now()

    def change(current: DataStoreRecord) -> DataStoreRecord:
        return redefine(current, name=body.name, structure=structure, max_records=body.max_records,
                        max_bytes=body.max_size_bytes, now=now)

    try:
        updated = await rt.store.update_data_store(account, data_store_id, change, rt.settings.data_store_quota())
    except DefinitionConflict as exc:
        raise ApiError(409, f"{exc.problem.path}: {exc.problem.message}", path=exc.problem.path) from None
    except DataStoreQuotaExceeded as exc:
        raise _over_quota(exc) from None
    if updated is None:
        raise not_found("data store")
    return public(updated)


@router.delete("/data-stores/{data_store_id}", status_code=204)
async def delete_data_store(data_store_id: str, account: Account, rt: Rt) -> Response:
    if not can_be_id(data_store_id) or not await rt.store.delete_data_store(account, data_store_id):
        raise not_found("data store")
    return Response(status_code=204)


@router.get("/data-stores/{data_store_id}/records", response_model=list[RecordPublic])
async def list_records(
    data_store_id: str, account: Account, rt: Rt,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many records.")] = 100,
    after: Annotated[str | None, Query(min_length=1, max_length=DATA_KEY_MAX_LENGTH,
                                       description="A key: the page of records after it.")] = None,
) -> list[RecordPublic]:
    """The store's records by key (code point order)."""
    await _get(rt, account, data_store_id)
    if after is not None and key_problem(after) is not None:
        raise ApiError(422, f"after: {key_problem(after)}", path="after")
    records = await rt.store.list_data_records(account, data_store_id, after=after, limit=limit)
    return [public_record(record) for record in records]


@router.get("/data-stores/{data_store_id}/records/{key:path}", response_model=RecordPublic)
async def get_record(data_store_id: str, key: str, account: Account, rt: Rt) -> RecordPublic:
    await _get(rt, account, data_store_id)
    record = None if key_problem(key) else await rt.store.get_data_record(account, data_store_id, key)
    if record is None:
        raise not_found("record")
    return public_record(record)


@router.put("/data-stores/{data_store_id}/records/{key:path}", response_model=RecordPublic,
            responses={409: {"description": "The store is full."}})
async def put_record(data_store_id: str, key: str, body: RecordWrite, account: Account, rt: Rt) -> RecordPublic:
    """Add or replace the record ``key``."""
    await _get(rt, account, data_store_id)
    require_storable(body.data, "data")
    stores = AccountDataStores(rt.store, account, rt.clock)
    try:
        await stores.add(data_store_id, body.data, key=key, overwrite=True)
    except InvalidConfigurationError:
        raise not_found("data store") from None
    except RecordInvalid as exc:
        raise ApiError(422, exc.message, path=exc.path) from None
    except StoreFull as exc:
        raise ApiError(409, exc.message) from None
    except DataError as exc:
        raise ApiError(422, exc.message, path="data") from None
    return await get_record(data_store_id, key, account, rt)


@router.delete("/data-stores/{data_store_id}/records/{key:path}", status_code=204)
async def delete_record(data_store_id: str, key: str, account: Account, rt: Rt) -> Response:
    await _get(rt, account, data_store_id)
    if key_problem(key) or not await rt.store.delete_data_record(account, data_store_id, key):
        raise not_found("record")
    return Response(status_code=204)
