"""Connections: create, list, test, delete. No answer ever holds a secret field."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from scenarist.connections import InvalidConnection
from scenarist.engine.documents import iso
from scenarist.server.deps import account_id, runtime
from scenarist.server.errors import ApiError, not_found, require_storable
from scenarist.server.runtime import Runtime
from scenarist.store.ports import ConnectionRecord

router = APIRouter(tags=["connections"])

Account = Annotated[str, Depends(account_id)]
Rt = Annotated[Runtime, Depends(runtime)]


class ConnectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(min_length=1, max_length=128, description="A connection type's full key.",
                      examples=["http.bearer"])
    name: str = Field(min_length=1, max_length=200, description="A name to tell connections apart.",
                      examples=["Billing API"])
    fields: dict[str, Any] = Field(description="The type's fields, secret ones included.",
                                   examples=[{"token": "eyJhbGciOi..."}])


class ConnectionCreated(BaseModel):
    id: str
    type: str
    name: str


class ConnectionPublic(BaseModel):
    id: str
    type: str
    name: str
    flagged: bool
    """True once the service refused the credentials."""
    fields: dict[str, Any]
    """The non-secret fields only."""
    created_at: str | None
    updated_at: str | None


class TestResult(BaseModel):
    ok: bool
    message: str


def public(record: ConnectionRecord) -> ConnectionPublic:
    return ConnectionPublic(id=record.id, type=record.type, name=record.name, flagged=record.flagged,
                            fields=record.fields, created_at=iso(record.created_at),
                            updated_at=iso(record.updated_at))


@router.post("/connections", status_code=201, response_model=ConnectionCreated)
async def create_connection(body: ConnectionCreate, account: Account, rt: Rt) -> ConnectionCreated:
    require_storable(body.fields, "fields")
    require_storable(body.name, "name")
    try:
        record = await rt.connections.create(account, body.type, body.name, body.fields)
    except InvalidConnection as exc:
        first = exc.problems[0] if exc.problems else None
        raise ApiError(422, str(exc), path=first.path if first else None) from None
    return ConnectionCreated(id=record.id, type=record.type, name=record.name)


@router.get("/connections", response_model=list[ConnectionPublic])
async def list_connections(account: Account, rt: Rt) -> list[ConnectionPublic]:
    return [public(record) for record in await rt.store.list_connections(account)]


@router.delete("/connections/{connection_id}", status_code=204)
async def delete_connection(connection_id: str, account: Account, rt: Rt) -> Response:
    if not await rt.connections.delete(account, connection_id):
        raise not_found("connection")
    return Response(status_code=204)


@router.post("/connections/{connection_id}/test", response_model=TestResult)
async def test_connection(connection_id: str, account: Account, rt: Rt) -> TestResult:
    outcome = await rt.connections.test(account, connection_id)
    if outcome is None:
        raise not_found("connection")
    return TestResult(ok=outcome.ok, message=outcome.message)
