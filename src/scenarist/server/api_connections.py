"""Connections: create, list, test, delete, and the OAuth 2.0 authorization. No answer ever holds a secret.

An OAuth 2.0 connection answers its creation with ``authorize_url``: the user
opens it, the service asks for consent and sends the browser back to
``GET /api/v1/oauth/callback``, which needs no session: the ``state`` is the
proof (single use, 10 minutes). ``POST /connections/{id}/authorize`` starts a
new authorization (after a revocation, or to change the account behind it).

A browser coming back (it asks for ``text/html``) is sent on to the web UI's
``/connections?oauth=connected&connection={id}``, or ``?oauth=refused&message=...``
with the reason; any other client gets the JSON answer.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import RedirectResponse, Response

from scenarist.connections import InvalidConnection
from scenarist.engine.documents import iso
from scenarist.oauth import OAuthError
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


class ConnectionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200, description="A new name.")
    fields: dict[str, Any] | None = Field(
        default=None, description="Fields to change; a field not given (a secret one included) keeps its value.",
        examples=[{"token": "eyJhbGciOi..."}])
    type: str | None = Field(default=None, description="Only the connection's own type: a type cannot change.")


class ConnectionCreated(BaseModel):
    id: str
    type: str
    name: str
    authorize_url: str | None = None
    """For an OAuth 2.0 type: where the user authorizes the connection."""


class Authorization(BaseModel):
    authorize_url: str


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
    authorized: bool | None = None
    """For an OAuth 2.0 type: whether it holds tokens (authorized and not withdrawn); None for other types."""


class TestResult(BaseModel):
    ok: bool
    message: str


def public(record: ConnectionRecord, authorized: bool | None = None) -> ConnectionPublic:
    return ConnectionPublic(id=record.id, type=record.type, name=record.name, flagged=record.flagged,
                            fields=record.fields, created_at=iso(record.created_at),
                            updated_at=iso(record.updated_at), authorized=authorized)


@router.post("/connections", status_code=201, response_model=ConnectionCreated, response_model_exclude_none=True)
async def create_connection(body: ConnectionCreate, account: Account, rt: Rt) -> ConnectionCreated:
    require_storable(body.fields, "fields")
    require_storable(body.name, "name")
    try:
        record = await rt.connections.create(account, body.type, body.name, body.fields)
    except InvalidConnection as exc:
        first = exc.problems[0] if exc.problems else None
        raise ApiError(422, str(exc), path=first.path if first else None) from None
    kind = rt.registry.connection_type(record.type)
    url = await rt.connections.authorize(account, record.id) if kind is not None and kind.oauth2 else None
    return ConnectionCreated(id=record.id, type=record.type, name=record.name, authorize_url=url)


@router.post("/connections/{connection_id}/authorize", response_model=Authorization,
             responses={409: {"description": "Not an OAuth 2.0 connection."}})
async def authorize_connection(connection_id: str, account: Account, rt: Rt) -> Authorization:
    try:
        url = await rt.connections.authorize(account, connection_id)
    except OAuthError as exc:
        raise ApiError(409, str(exc), code="not_oauth") from None
    if url is None:
        raise not_found("connection")
    return Authorization(authorize_url=url)


class Authorized(BaseModel):
    id: str
    type: str
    name: str
    authorized: bool = True


UI_CONNECTIONS = "/connections"
"""The web UI's connections page, where a browser coming back from the service lands."""


def _wants_page(request: Request) -> bool:
    """A browser's navigation asks for HTML; API clients ask for JSON or anything."""
    return "text/html" in request.headers.get("accept", "")


def _to_ui(**query: str) -> RedirectResponse:
    return RedirectResponse(f"{UI_CONNECTIONS}?{urlencode(query)}", status_code=303)


@router.get("/oauth/callback", response_model=Authorized,
            responses={303: {"description": "A browser (Accept: text/html) is sent on to the web UI's "
                                            "/connections with the result in the query."},
                       400: {"description": "The state is unknown, used or expired, or the service refused."}})
async def oauth_callback(request: Request, rt: Rt, state: str = "", code: str | None = None,
                         error: str | None = None) -> Authorized | Response:
    """Where the service sends the browser back. No session is needed: the state is the proof."""
    try:
        record = await rt.connections.complete(state, code, error)
    except OAuthError as exc:
        if _wants_page(request):
            return _to_ui(oauth="refused", message=str(exc))
        raise ApiError(400, str(exc), code="oauth_refused") from None
    if _wants_page(request):
        return _to_ui(oauth="connected", connection=record.id)
    return Authorized(id=record.id, type=record.type, name=record.name)


@router.get("/connections", response_model=list[ConnectionPublic])
async def list_connections(account: Account, rt: Rt) -> list[ConnectionPublic]:
    records = await rt.store.list_connections(account)
    return [public(record, rt.connections.authorized(record)) for record in records]


@router.patch("/connections/{connection_id}", response_model=ConnectionPublic)
async def update_connection(connection_id: str, body: ConnectionUpdate, account: Account, rt: Rt) -> ConnectionPublic:
    """Rename it or change some fields; the answer holds no secret."""
    current = await rt.store.get_connection(account, connection_id)
    if current is None:
        raise not_found("connection")
    if body.type is not None and body.type != current.type:
        raise ApiError(422, f"a connection's type cannot change (it is {current.type}): create a new one",
                       path="type")
    if body.fields is not None:
        require_storable(body.fields, "fields")
    try:
        record = await rt.connections.update(account, connection_id, name=body.name, fields=body.fields)
    except InvalidConnection as exc:
        first = exc.problems[0] if exc.problems else None
        raise ApiError(422, str(exc), path=first.path if first else None) from None
    if record is None:
        raise not_found("connection")
    return public(record, rt.connections.authorized(record))


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
