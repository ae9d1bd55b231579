"""What the SQL connection types share: fields, TLS, the errors of reaching the server.

TLS (contract section 9: the secure mode is the default, plain is a choice):

- ``require`` (default): the session is encrypted; the certificate is checked
  against ``ca_cert`` when one is given (without the host name), else not checked;
- ``verify-full``: encrypted, the certificate must chain to ``ca_cert`` (or the
  system's roots) and name the host;
- ``disable``: plain TCP, for trusted networks only.

A server that does not offer TLS is refused (``InvalidConfigurationError``)
unless ``tls`` is ``disable``: there is no silent fallback to plain.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, create_model

from scenarist.sdk import ConnectionError, sockets
from scenarist.sdk.sockets import ErrorMap, Rule

TlsMode = Literal["require", "verify-full", "disable"]
CONNECT_TIMEOUT_SECONDS = 10.0


class DatabaseFields(sockets.ServerFields):
    """Where the database server is and how to log in."""

    host: str = Field(min_length=1, description="Server host name or address.", examples=["db.example.com"])
    database: str = Field(min_length=1, description="Database name.", examples=["shop"])
    username: str = Field(min_length=1, description="User to log in as.", examples=["scenarist"])
    password: str = Field(default="", description="Password (kept secret).", examples=["correct horse"])
    tls: TlsMode = Field(
        default="require",
        description="require: encrypted (certificate checked only against ca_cert when given); "
        "verify-full: encrypted, certificate and host name verified; disable: plain TCP, trusted networks only.",
        examples=["verify-full"],
    )
    ca_cert: sockets.CaCert = Field(
        default=None, description="PEM certificate(s) of the authority that signed the server's certificate.",
    )

    def tls_settings(self) -> sockets.Tls | None:
        """``require`` checks the certificate against ``ca_cert`` only (without the host name), ``verify-full``
        against ``ca_cert`` or the system's roots, with the host name."""
        if self.tls == "disable":
            return None
        full = self.tls == "verify-full"
        return sockets.Tls(verify=full or bool(self.ca_cert), check_hostname=full, ca_cert=self.ca_cert)


def database_fields(doc: str, port: int, database: str) -> type[DatabaseFields]:
    """The fields model of one server kind: its docstring, default port and words for ``database``."""
    fields: Any = create_model(
        "DatabaseFields", __base__=DatabaseFields, __doc__=doc, __module__=__name__,
        port=(int, Field(default=port, ge=1, le=65535, description="Server port.", examples=[port])),
        database=(str, Field(min_length=1, description=database, examples=["shop"])),
    )
    return fields


def no_tls(where: str, fields: DatabaseFields) -> str:
    """The server does not offer TLS and the connection requires it."""
    return (
        f"{where} does not offer TLS; the connection requires it (tls: {fields.tls}). "
        "Choose tls 'disable' only for a trusted network."
    )


def connect_errors(where: str, *rules: Rule) -> ErrorMap:
    """The failures of reaching ``where`` as contract errors, after the driver's ``rules``: an untrusted
    certificate is an ``InvalidConfigurationError``, no session within the connect timeout or no
    answer a ``ConnectionError``."""
    return ErrorMap(
        where,
        *rules,
        Rule(TimeoutError, ConnectionError, f"{{where}} did not answer within {CONNECT_TIMEOUT_SECONDS:g} s"),
        after=(Rule(Exception, ConnectionError, "{where} could not be reached: {kind}: {exc}"),),
    )

