"""The ``mqtt.broker`` connection type (aiomqtt over paho-mqtt): fields, TLS, errors.

TLS is on by default (contract section 9): the certificate must chain to
``ca_cert`` (or the system's roots) and name the host. ``tls: false`` is plain
TCP, for trusted networks only. MQTT 3.1.1.

aiomqtt (and paho-mqtt under it) is imported by ``connect``, on the first
connection, so that reading the catalogue does not load it.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from pydantic import Field

from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    ConnectionType,
    Egress,
    InvalidConfigurationError,
    ModuleTimeoutError,
    PinnedHostContext,
    connection_fields,
    sockets,
)
from scenarist.sdk.sockets import ErrorMap, Rule

if TYPE_CHECKING:
    import aiomqtt

CONNECT_TIMEOUT_SECONDS = 10.0
_AUTH_CODES = frozenset({4, 5, 134, 135})


class BrokerFields(sockets.ServerFields):
    """Where the MQTT broker is and how to log in."""

    host: str = Field(min_length=1, description="Broker host name or address.", examples=["mqtt.example.com"])
    port: int = Field(default=8883, ge=1, le=65535, description="Broker port (8883 for TLS, 1883 plain).",
                      examples=[8883])
    username: str | None = Field(default=None, description="User name, if the broker asks for one.",
                                 examples=["sensor-gw"])
    password: str | None = Field(default=None, description="Password (kept secret).", examples=["correct horse"])
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


class _TrackingContext(PinnedHostContext):
    """A pinned-host context that remembers the sockets it wrapped."""

    def wrap_socket(self, sock: Any, server_side: bool = False, do_handshake_on_connect: bool = True,
                    suppress_ragged_eofs: bool = True, server_hostname: str | bytes | None = None,
                    session: Any = None) -> ssl.SSLSocket:
        wrapped = super().wrap_socket(sock, server_side, do_handshake_on_connect, suppress_ragged_eofs,
                                      server_hostname, session)
        self.__dict__.setdefault("sockets", []).append(wrapped)
        return wrapped

    def close_sockets(self) -> None:
        """Close what paho left open (it does not close a socket whose handshake failed)."""
        for wrapped in self.__dict__.pop("sockets", []):
            wrapped.close()


def fields_of(connection: Mapping[str, Any] | None) -> BrokerFields:
    """The validated fields of an ``mqtt.broker`` connection."""
    return connection_fields(connection, BrokerFields, "mqtt.broker", article="an")


def _refused_credentials(exc: BaseException) -> bool:
    code = getattr(exc, "rc", None)
    return code is not None and int(code) in _AUTH_CODES


def errors(fields: BrokerFields) -> ErrorMap:
    """aiomqtt's failures (an ``MqttError`` that says what went wrong in its text) as contract errors."""
    return ErrorMap(
        f"MQTT broker at {fields.host}:{fields.port}",
        Rule(_refused_credentials, AuthenticationError, "{where} refused the credentials: {exc}"),
        Rule(lambda exc: "CERTIFICATE_VERIFY_FAILED" in str(exc), InvalidConfigurationError,
             "{where}: the broker's certificate could not be verified: {exc}"),
        Rule(lambda exc: "timed out" in str(exc).lower(), ModuleTimeoutError, "{where}: {exc}{hint}"),
        tls=fields.tls,
        after=(Rule(Exception, ConnectionError, "{where} could not be reached or broke off: {exc}{hint}"),),
    )


@asynccontextmanager
async def connect(
    fields: BrokerFields, egress: Egress, *, client_id: str | None = None, persistent: bool = False,
    seconds: float = CONNECT_TIMEOUT_SECONDS,
) -> AsyncIterator[aiomqtt.Client]:
    """A connected client, disconnected on the way out; failures as contract errors."""
    import aiomqtt

    address = await sockets.resolve(egress, fields.host, fields.port)
    context = fields.tls_context(context_class=_TrackingContext)
    client = aiomqtt.Client(
        address, fields.port, username=fields.username or None, password=fields.password or None,
        identifier=client_id, clean_session=not persistent, tls_context=context,
        timeout=seconds, protocol=aiomqtt.ProtocolVersion.V311,
    )
    try:
        with errors(fields).translating(aiomqtt.MqttError):
            async with client:
                yield client
    finally:
        if isinstance(context, _TrackingContext):
            context.close_sockets()


async def test(raw_fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """Connect and disconnect."""

    async def probe(fields: BrokerFields, guard: Egress) -> str:
        async with connect(fields, guard):
            pass
        return f"connected to the MQTT broker at {fields.host}:{fields.port} ({fields.transport})"

    return await sockets.connection_test(BrokerFields, raw_fields, "mqtt.broker", egress, probe)


CONNECTION_TYPE = ConnectionType(
    key="mqtt.broker", label="MQTT broker", fields=BrokerFields, secret_fields=("password",), test=test,
)
