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

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    ConnectionType,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
    OpenEgress,
    PinnedHostContext,
    client_ssl_context,
    connection_fields,
)

if TYPE_CHECKING:
    import aiomqtt

CONNECT_TIMEOUT_SECONDS = 10.0
_AUTH_CODES = frozenset({4, 5, 134, 135})


class BrokerFields(BaseModel):
    """Where the MQTT broker is and how to log in."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, description="Broker host name or address.", examples=["mqtt.example.com"])
    port: int = Field(default=8883, ge=1, le=65535, description="Broker port (8883 for TLS, 1883 plain).",
                      examples=[8883])
    username: str | None = Field(default=None, description="User name, if the broker asks for one.",
                                 examples=["sensor-gw"])
    password: str | None = Field(default=None, description="Password (kept secret).", examples=["correct horse"])
    tls: bool = Field(
        default=True,
        description="Encrypt with TLS and verify the broker's certificate and host name; "
        "false: plain TCP, trusted networks only.",
        examples=[True],
    )
    ca_cert: str | None = Field(
        default=None,
        description="PEM certificate(s) of the authority that signed the broker's certificate "
        "(default: the system's roots).",
        examples=["-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----"],
    )


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


def tls_context(fields: BrokerFields) -> ssl.SSLContext | None:
    """A verifying client context (None when TLS is off)."""
    if not fields.tls:
        return None
    return client_ssl_context(ca_cert=fields.ca_cert, pinned_hostname=fields.host, context_class=_TrackingContext)


def fields_of(connection: Mapping[str, Any] | None) -> BrokerFields:
    """The validated fields of an ``mqtt.broker`` connection."""
    return connection_fields(connection, BrokerFields, "mqtt.broker", article="an")


def mapped_error(exc: aiomqtt.MqttError, fields: BrokerFields) -> ModuleError:
    """The contract error for an aiomqtt failure."""
    where = f"MQTT broker at {fields.host}:{fields.port}"
    code = getattr(exc, "rc", None)
    if code is not None and int(code) in _AUTH_CODES:
        return AuthenticationError(f"{where} refused the credentials: {exc}")
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return InvalidConfigurationError(f"{where}: the broker's certificate is not trusted: {text}")
    if fields.tls and "refused" not in text.lower():
        text += "; does it speak TLS on this port? (tls is on; turn it off only on a trusted network)"
    if "timed out" in text.lower():
        return ModuleTimeoutError(f"{where}: {text}")
    return ConnectionError(f"{where} could not be reached or broke off: {text}")


@asynccontextmanager
async def connect(
    fields: BrokerFields, egress: Egress, *, client_id: str | None = None, persistent: bool = False,
    seconds: float = CONNECT_TIMEOUT_SECONDS,
) -> AsyncIterator[aiomqtt.Client]:
    """A connected client, disconnected on the way out; failures as contract errors."""
    import aiomqtt

    address = await egress.resolve(fields.host, fields.port)
    context = tls_context(fields)
    client = aiomqtt.Client(
        address, fields.port, username=fields.username or None, password=fields.password or None,
        identifier=client_id, clean_session=not persistent, tls_context=context,
        timeout=seconds, protocol=aiomqtt.ProtocolVersion.V311,
    )
    try:
        async with client:
            yield client
    except aiomqtt.MqttError as exc:
        raise mapped_error(exc, fields) from exc
    finally:
        if isinstance(context, _TrackingContext):
            context.close_sockets()


async def test(raw_fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """Connect and disconnect."""
    try:
        fields = BrokerFields.model_validate(dict(raw_fields))
    except ValidationError as exc:
        raise InvalidConfigurationError(f"the connection is incomplete: {exc.error_count()} problem(s)") from exc
    async with connect(fields, egress or OpenEgress()):
        pass
    return f"connected to the MQTT broker at {fields.host}:{fields.port} ({'TLS' if fields.tls else 'plain'})"


CONNECTION_TYPE = ConnectionType(
    key="mqtt.broker", label="MQTT broker", fields=BrokerFields, secret_fields=("password",), test=test,
)
