"""The HTTP app: ``http.request``, ``http.download`` and the connection types that authenticate them.

Connection types (full keys): ``http.basic`` (username, password),
``http.bearer`` (token), ``http.api_key`` (name, value, placement),
``http.oauth2`` (a client and its endpoints; the tokens come from authorizing
it), ``http.client_certificate`` (certificate, private_key, passphrase,
ca_certificate: mutual TLS). Their secret fields are ``password``, ``token``,
``value``, ``client_secret``, the OAuth tokens, ``private_key`` and
``passphrase``.
"""

from scenarist.apps.http._auth import CONNECTION_TYPES, ApiKeyAuth, BearerAuth, OAuth2Fields
from scenarist.apps.http._client_cert import ClientCertificateAuth, ClientCertificateFields
from scenarist.apps.http._download import run as run_download
from scenarist.apps.http._params import DownloadParams, RequestParams
from scenarist.apps.http._request import run as run_request
from scenarist.sdk import App, ModuleSpec, output_schema

REQUEST = ModuleSpec(
    key="request",
    label="Make a request",
    description="Send an HTTP request and return its status, headers and body "
    "(parsed from JSON when the answer is JSON).",
    params=RequestParams,
    run=run_request,
    kind="action",
    connection_types=tuple(ct.key for ct in CONNECTION_TYPES),
    output=output_schema(status={"type": "integer"}, headers={"type": "object"}, body={}),
)

DOWNLOAD = ModuleSpec(
    key="download",
    label="Download a file",
    description="Fetch a file over HTTP and return its name, content type, size and content "
    "(base64, or text), refusing files over a size limit.",
    params=DownloadParams,
    run=run_download,
    kind="action",
    connection_types=tuple(ct.key for ct in CONNECTION_TYPES),
)

app = App(
    key="http",
    label="HTTP",
    description="Call any HTTP API or download a file, with or without credentials.",
    modules=(REQUEST, DOWNLOAD),
    connection_types=CONNECTION_TYPES,
)

__all__ = [
    "DOWNLOAD",
    "REQUEST",
    "ApiKeyAuth",
    "BearerAuth",
    "ClientCertificateAuth",
    "ClientCertificateFields",
    "DownloadParams",
    "OAuth2Fields",
    "RequestParams",
    "app",
]
