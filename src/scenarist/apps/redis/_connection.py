"""The ``redis.server`` connection type (redis-py's asyncio client): fields, TLS, the connection test.

TLS is on by default (contract section 9): the certificate must chain to
``ca_cert`` (or the system's roots) and name the host. ``tls: false`` is plain
TCP, for trusted networks only. The client itself and its error mapping are in
``_client``, imported when a test or a module first needs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from scenarist.sdk import ConnectionType, Egress, connection_fields, sockets

CONNECT_TIMEOUT_SECONDS = 10.0


class ServerFields(sockets.ServerFields):
    """Where the Redis server is and how to log in."""

    host: str = Field(min_length=1, description="Server host name or address.", examples=["cache.example.com"])
    port: int = Field(default=6379, ge=1, le=65535, description="Server port.", examples=[6379])
    db: int = Field(default=0, ge=0, le=1023, description="Database number.", examples=[0])
    username: str | None = Field(default=None, description="ACL user (Redis 6+); empty for the default user.",
                                 examples=["scenarist"])
    password: str | None = Field(default=None, description="Password (kept secret).", examples=["correct horse"])
    tls: sockets.TlsSwitch = True
    ca_cert: sockets.CaCert = None

    def tls_settings(self) -> sockets.Tls | None:
        """Verify the certificate and host name, against ``ca_cert`` or the system's roots."""
        return sockets.Tls(ca_cert=self.ca_cert) if self.tls else None


def fields_of(connection: Mapping[str, Any] | None) -> ServerFields:
    """The validated fields of a ``redis.server`` connection."""
    return connection_fields(connection, ServerFields, "redis.server")


async def test(raw_fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """Ask the server for its version and report it."""
    from scenarist.apps.redis._client import server_version  # redis-py is loaded here, not with the catalogue

    async def probe(fields: ServerFields, guard: Egress) -> str:
        version = await server_version(fields, guard)
        return f"connected to Redis {version} db {fields.db} ({fields.transport})"

    return await sockets.connection_test(ServerFields, raw_fields, "redis.server", egress, probe)


CONNECTION_TYPE = ConnectionType(
    key="redis.server", label="Redis server", fields=ServerFields, secret_fields=("password",), test=test,
)
