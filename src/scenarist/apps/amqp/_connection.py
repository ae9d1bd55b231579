"""The ``amqp.broker`` connection type (aio-pika): fields, TLS, the connection test.

TLS is on by default (contract section 9): the certificate must chain to
``ca_cert`` (or the system's roots) and name the host. ``tls: false`` is plain
TCP, for trusted networks only. AMQP 0-9-1 (RabbitMQ). The channel and the
error mapping are in ``_client``, imported when a test or a publish first needs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from scenarist.sdk import ConnectionType, Egress, connection_fields, sockets

CONNECT_TIMEOUT_SECONDS = 10.0


class BrokerFields(sockets.ServerFields):
    """Where the AMQP broker is and how to log in."""

    host: str = Field(min_length=1, description="Broker host name or address.", examples=["rabbit.example.com"])
    port: int = Field(default=5671, ge=1, le=65535, description="Broker port (5671 for TLS, 5672 plain).",
                      examples=[5671])
    vhost: str = Field(default="/", description="Virtual host.", examples=["/"])
    username: str = Field(min_length=1, description="User name.", examples=["scenarist"])
    password: str = Field(default="", description="Password (kept secret).", examples=["correct horse"])
    tls: sockets.TlsSwitch = Field(
        default=True,
        description="Encrypt with TLS and verify the broker's certificate and host name; "
        "false: plain TCP, trusted networks only.",
    )
    ca_cert: sockets.CaCert = Field(
        default=None,
        description="PEM certificate(s) of the authority that signed the broker's certificate "
        "(default: the system's roots).",
    )

    def tls_settings(self) -> sockets.Tls | None:
        """Verify the certificate and host name, against ``ca_cert`` or the system's roots."""
        return sockets.Tls(ca_cert=self.ca_cert) if self.tls else None


def fields_of(connection: Mapping[str, Any] | None) -> BrokerFields:
    """The validated fields of an ``amqp.broker`` connection."""
    return connection_fields(connection, BrokerFields, "amqp.broker", article="an")


async def test(raw_fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """Log in and open a channel."""
    from scenarist.apps.amqp._client import open_channel  # aio-pika is loaded here, not with the catalogue

    async def probe(fields: BrokerFields, guard: Egress) -> str:
        async with open_channel(fields, guard):
            pass
        return f"connected to {fields.host}:{fields.port} vhost {fields.vhost} ({fields.transport})"

    return await sockets.connection_test(BrokerFields, raw_fields, "amqp.broker", egress, probe)


CONNECTION_TYPE = ConnectionType(
    key="amqp.broker", label="AMQP broker (RabbitMQ)", fields=BrokerFields, secret_fields=("password",), test=test,
)
