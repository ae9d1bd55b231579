"""Connection types of the HTTP app, and how each becomes an ``httpx.Auth``.

Each type's ``auth`` factory checks the fields against the type's model and
returns the auth that puts the credential on the request; the engine hands it
to the module as ``ctx.auth``. ``http.oauth2`` declares its client and
endpoints instead: the engine's OAuth 2.0 flow obtains, refreshes and sends
its tokens. ``http.client_certificate`` (``_client_cert.py``) is an auth that
hands the transport a TLS context instead of setting a header.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scenarist.apps.http._client_cert import CLIENT_CERTIFICATE
from scenarist.sdk import ConnectionType, InvalidConfigurationError, OAuth2Endpoints

BaseModelT = TypeVar("BaseModelT", bound=BaseModel)


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


class OAuth2Fields(BaseModel):
    """An OAuth 2.0 client registered with the service; the tokens come from authorizing it."""

    model_config = ConfigDict(extra="forbid")

    authorize_url: str = Field(description="The service's authorization endpoint.",
                               examples=["https://auth.example.com/oauth/authorize"])
    token_url: str = Field(description="The service's token endpoint.", examples=["https://auth.example.com/oauth/token"])
    revoke_url: str | None = Field(default=None, description="The revocation endpoint (RFC 7009), called on delete.",
                                   examples=["https://auth.example.com/oauth/revoke"])
    client_id: str = Field(min_length=1, description="The client id the service gave this app.", examples=["scenarist"])
    client_secret: str | None = Field(default=None, description="The client secret (kept secret).",
                                      examples=["s3cr3t"])
    scopes: list[str] = Field(default_factory=list, description="The scopes to ask for.", examples=[["read", "write"]])
    client_auth: Literal["body", "basic"] = Field(
        default="body", description="How the client authenticates at the token endpoint: in the form body "
        "(client_secret_post) or with HTTP Basic (client_secret_basic).", examples=["body"])


def _fields(model: type[BaseModelT], kind: str, fields: Mapping[str, Any]) -> BaseModelT:
    try:
        return model.model_validate(dict(fields))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidConfigurationError(f"the {kind} connection is incomplete: {problems}") from exc


def _basic(fields: Mapping[str, Any]) -> httpx.Auth:
    basic = _fields(BasicFields, "http.basic", fields)
    return httpx.BasicAuth(basic.username, basic.password)


def _bearer(fields: Mapping[str, Any]) -> httpx.Auth:
    return BearerAuth(_fields(BearerFields, "http.bearer", fields).token)


def _api_key(fields: Mapping[str, Any]) -> httpx.Auth:
    return ApiKeyAuth(_fields(ApiKeyFields, "http.api_key", fields))


def _oauth2(fields: Mapping[str, Any]) -> OAuth2Endpoints:
    client = _fields(OAuth2Fields, "http.oauth2", fields)
    return OAuth2Endpoints(
        authorize_url=client.authorize_url, token_url=client.token_url, revoke_url=client.revoke_url,
        client_id=client.client_id, client_secret=client.client_secret, scopes=tuple(client.scopes),
        client_auth=client.client_auth,
    )


CONNECTION_TYPES: tuple[ConnectionType, ...] = (
    ConnectionType("http.basic", "HTTP Basic auth", BasicFields, ("password",), auth=_basic),
    ConnectionType("http.bearer", "Bearer token", BearerFields, ("token",), auth=_bearer),
    ConnectionType("http.api_key", "API key", ApiKeyFields, ("value",), auth=_api_key),
    ConnectionType("http.oauth2", "OAuth 2.0", OAuth2Fields, ("client_secret",), oauth2=_oauth2),
    CLIENT_CERTIFICATE,
)
