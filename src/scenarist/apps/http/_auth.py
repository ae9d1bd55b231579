"""Connection types of the HTTP app, and how each becomes an ``httpx.Auth``.

A connection reaches the module as ``{"type": "http.bearer", "fields": {...}}``;
``auth_for`` checks the fields against the type's model and returns the auth
that puts the credential on the request.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scenarist.sdk import ConnectionType, InvalidConfigurationError


class BasicFields(BaseModel):
    """User name and password for HTTP Basic authentication."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(description="User name.", examples=["ada"])
    password: str = Field(description="Password (kept secret).", examples=["correct horse"])


class BearerFields(BaseModel):
    """A token sent as ``Authorization: Bearer <token>``."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(description="The bearer token (kept secret).", examples=["eyJhbGciOi..."])


class ApiKeyFields(BaseModel):
    """An API key sent in a header or in the query string."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Header or query parameter name.", examples=["X-API-Key"])
    value: str = Field(description="The key (kept secret).", examples=["sk_live_123"])
    placement: Literal["header", "query"] = Field(
        default="header",
        description="Where the key goes: a request header or a query parameter.",
        examples=["header"],
    )


class BearerAuth(httpx.Auth):
    """Sets ``Authorization: Bearer <token>`` on every request."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the header, then send."""
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class ApiKeyAuth(httpx.Auth):
    """Puts an API key in a header or a query parameter."""

    def __init__(self, fields: ApiKeyFields) -> None:
        self._fields = fields

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the key where the connection says, then send."""
        name, value = self._fields.name, self._fields.value
        if self._fields.placement == "query":
            request.url = request.url.copy_set_param(name, value)
        else:
            request.headers[name] = value
        yield request


def _basic(fields: BaseModel) -> httpx.Auth:
    assert isinstance(fields, BasicFields)
    return httpx.BasicAuth(fields.username, fields.password)


def _bearer(fields: BaseModel) -> httpx.Auth:
    assert isinstance(fields, BearerFields)
    return BearerAuth(fields.token)


def _api_key(fields: BaseModel) -> httpx.Auth:
    assert isinstance(fields, ApiKeyFields)
    return ApiKeyAuth(fields)


CONNECTION_TYPES: tuple[ConnectionType, ...] = (
    ConnectionType("http.basic", "HTTP Basic auth", BasicFields, ("password",)),
    ConnectionType("http.bearer", "Bearer token", BearerFields, ("token",)),
    ConnectionType("http.api_key", "API key", ApiKeyFields, ("value",)),
)
_AUTH_FACTORIES = {"http.basic": _basic, "http.bearer": _bearer, "http.api_key": _api_key}
_FIELDS = {ct.key: ct.fields for ct in CONNECTION_TYPES}


def auth_for(connection: Mapping[str, Any] | None) -> httpx.Auth | None:
    """The auth for ``connection`` (None without one).

    Raises ``InvalidConfigurationError`` for a foreign type or incomplete fields.
    """
    if connection is None:
        return None
    kind = connection.get("type")
    if kind not in _AUTH_FACTORIES:
        raise InvalidConfigurationError(f"http.request cannot use a connection of type {kind!r}")
    try:
        fields = _FIELDS[kind].model_validate(connection.get("fields") or {})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidConfigurationError(f"the {kind} connection is incomplete: {problems}") from exc
    return _AUTH_FACTORIES[kind](fields)
