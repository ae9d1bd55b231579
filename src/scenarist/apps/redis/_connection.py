"""The ``redis.server`` connection type (redis-py's asyncio client): fields, TLS, the connection test.

TLS is on by default (contract section 9): the certificate must chain to
``ca_cert`` (or the system's roots) and name the host. ``tls: false`` is plain
TCP, for trusted networks only. The client itself and its error mapping are in
``_client``, imported when a test or a module first needs them.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scenarist.sdk import ConnectionType, Egress, InvalidConfigurationError, client_ssl_context, connection_fields

CONNECT_TIMEOUT_SECONDS = 10.0


class ServerFields(BaseModel):
    """Where the Redis server is and how to log in."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, description="Server host name or address.", examples=["cache.example.com"])
    port: int = Field(default=6379, ge=1, le=65535, description="Server port.", examples=[6379])
    db: int = Field(default=0, ge=0, le=1023, description="Database number.", examples=[0])
    username: str | None = Field(default=None, description="ACL user (Redis 6+); empty for the default user.",
                                 examples=["scenarist"])
    password: str | None = Field(default=None, description="Password (kept secret).", examples=["correct horse"])
    tls: bool = Field(
        default=True,
        description="Encrypt with TLS and verify the server's certificate and host name; "
        "false: plain TCP, trusted networks only.",
        examples=[True],
    )
    ca_cert: str | None = Field(
        default=None,
        description="PEM certificate(s) of the authority that signed the server's certificate "
        "(default: the system's roots).",
        examples=["-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----"],
    )


def tls_context(fields: ServerFields) -> ssl.SSLContext | None:
    """A verifying client context (None when TLS is off)."""
    if not fields.tls:
        return None
    return client_ssl_context(ca_cert=fields.ca_cert, pinned_hostname=fields.host)


def fields_of(connection: Mapping[str, Any] | None) -> ServerFields:
    """The validated fields of a ``redis.server`` connection."""
    return connection_fields(connection, ServerFields, "redis.server")


async def test(raw_fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """Ask the server for its version and report it."""
    from scenarist.apps.redis._client import server_version  # redis-py is loaded here, not with the catalogue

    try:
        fields = ServerFields.model_validate(dict(raw_fields))
    except ValidationError as exc:
        raise InvalidConfigurationError(f"the connection is incomplete: {exc.error_count()} problem(s)") from exc
    version = await server_version(fields, egress)
    mode = "TLS" if fields.tls else "plain"
    return f"connected to Redis {version} db {fields.db} ({mode})"


CONNECTION_TYPE = ConnectionType(
    key="redis.server", label="Redis server", fields=ServerFields, secret_fields=("password",), test=test,
)
