"""What the SQL connection types share: fields, TLS, name resolution, transport errors.

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

import ssl
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from scenarist.sdk import (
    ConnectionError,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    OpenEgress,
    client_ssl_context,
)

TlsMode = Literal["require", "verify-full", "disable"]
CONNECT_TIMEOUT_SECONDS = 10.0


class DatabaseFields(BaseModel):
    """Where the database server is and how to log in."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, description="Server host name or address.", examples=["db.example.com"])
    port: int = Field(ge=1, le=65535, description="Server port.")
    database: str = Field(min_length=1, description="Database name.", examples=["shop"])
    username: str = Field(min_length=1, description="User to log in as.", examples=["scenarist"])
    password: str = Field(default="", description="Password (kept secret).", examples=["correct horse"])
    tls: TlsMode = Field(
        default="require",
        description="require: encrypted (certificate checked only against ca_cert when given); "
        "verify-full: encrypted, certificate and host name verified; disable: plain TCP, trusted networks only.",
        examples=["verify-full"],
    )
    ca_cert: str | None = Field(
        default=None,
        description="PEM certificate(s) of the authority that signed the server's certificate.",
        examples=["-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----"],
    )


def database_fields(doc: str, port: int, database: str) -> type[DatabaseFields]:
    """The fields model of one server kind: its docstring, default port and words for ``database``."""
    fields: Any = create_model(
        "DatabaseFields", __base__=DatabaseFields, __doc__=doc, __module__=__name__,
        port=(int, Field(default=port, ge=1, le=65535, description="Server port.", examples=[port])),
        database=(str, Field(min_length=1, description=database, examples=["shop"])),
    )
    return fields


def tls_context(fields: DatabaseFields) -> ssl.SSLContext | None:
    """The client TLS context for ``fields.tls`` (None for plain)."""
    if fields.tls == "disable":
        return None
    full = fields.tls == "verify-full"
    return client_ssl_context(
        verify=full or bool(fields.ca_cert), ca_cert=fields.ca_cert, check_hostname=full, pinned_hostname=fields.host
    )


def validated(model: type[DatabaseFields], raw_fields: Mapping[str, Any]) -> DatabaseFields:
    """The fields a connection test was given, or the contract error for an incomplete set."""
    try:
        return model.model_validate(dict(raw_fields))
    except ValidationError as exc:
        raise InvalidConfigurationError(f"the connection is incomplete: {exc.error_count()} problem(s)") from exc


def tls_mode(fields: DatabaseFields) -> str:
    """``plain`` or ``TLS``, for the connection test's report."""
    return "plain" if fields.tls == "disable" else "TLS"


def no_tls_error(where: str, fields: DatabaseFields) -> ModuleError:
    """The server does not offer TLS and the connection requires it."""
    return InvalidConfigurationError(
        f"{where} does not offer TLS; the connection requires it (tls: {fields.tls}). "
        "Choose tls 'disable' only for a trusted network."
    )


def transport_error(where: str, exc: BaseException) -> ModuleError:
    """The contract error for a failure to reach ``where`` (certificate, time, network)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return InvalidConfigurationError(f"{where}: the server's certificate is not trusted: {exc.verify_message}")
    if isinstance(exc, TimeoutError):
        return ConnectionError(f"{where} did not answer within {CONNECT_TIMEOUT_SECONDS:g} s")
    return ConnectionError(f"{where} could not be reached: {type(exc).__name__}: {exc}")


async def resolve(host: str, port: int, egress: Egress | None) -> str:
    """The address to connect to: through the egress guard when there is one."""
    return await (egress or OpenEgress()).resolve(host, port)
