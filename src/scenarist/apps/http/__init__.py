"""The HTTP app: ``http.request`` and the connection types that authenticate it.

Connection types (full keys): ``http.basic`` (username, password),
``http.bearer`` (token), ``http.api_key`` (name, value, placement),
``http.oauth2`` (a client and its endpoints; the tokens come from authorizing
it). Their secret fields are ``password``, ``token``, ``value``,
``client_secret`` and the OAuth tokens.
"""

from scenarist.apps.http._auth import CONNECTION_TYPES, ApiKeyAuth, BearerAuth, OAuth2Fields
from scenarist.apps.http._params import RequestParams
from scenarist.apps.http._request import run as run_request
from scenarist.sdk import App, ModuleSpec

REQUEST = ModuleSpec(
    key="request",
    label="Make a request",
    description="Send an HTTP request and return its status, headers and body "
    "(parsed from JSON when the answer is JSON).",
    params=RequestParams,
    run=run_request,
    kind="action",
    connection_types=tuple(ct.key for ct in CONNECTION_TYPES),
)

app = App(
    key="http",
    label="HTTP",
    description="Call any HTTP API, with or without credentials.",
    modules=(REQUEST,),
    connection_types=CONNECTION_TYPES,
)

__all__ = ["REQUEST", "ApiKeyAuth", "BearerAuth", "OAuth2Fields", "RequestParams", "app"]
