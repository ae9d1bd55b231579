"""The ``amqp.broker`` connection type (aio-pika): fields, TLS, errors.

TLS is on by default (CONTRACT.md section 9): the certificate must chain to
``ca_cert`` (or the system's roots) and name the host. ``tls: false`` is plain
TCP, for trusted networks only. AMQP 0-9-1 (RabbitMQ).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aio_pika
import aiormq.exceptions as amqp_errors
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    ConnectionType,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
    OpenEgress,
    client_ssl_context,
    connection_fields,
)

CONNECT_TIMEOUT_SECONDS = 10.0


class BrokerFields(BaseModel):
    """Where the AMQP broker is and how to log in."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, description="Broker host name or address.", examples=["rabbit.example.com"])
    port: int = Field(default=5671, ge=1, le=65535, description="Broker port (5671 for TLS, 5672 plain).",
                      examples=[5671])
    vhost: str = Field(default="/", description="Virtual host.", examples=["/"])
    username: str = Field(min_length=1, description="User name.", examples=["scenarist"])
    password: str = Field(default="", description="Password (kept secret).", examples=["correct horse"])
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


def tls_context(fields: BrokerFields) -> ssl.SSLContext | None:
    """A verifying client context (None when TLS is off)."""
    if not fields.tls:
        return None
    return client_ssl_context(ca_cert=fields.ca_cert, pinned_hostname=fields.host)


def fields_of(connection: Mapping[str, Any] | None) -> BrokerFields:
    """The validated fields of an ``amqp.broker`` connection."""
    return connection_fields(connection, BrokerFields, "amqp.broker", article="an")


def mapped_error(exc: BaseException, fields: BrokerFields) -> ModuleError:
    """The contract error for an aio-pika/aiormq failure."""
    where = f"AMQP broker at {fields.host}:{fields.port}"
    if isinstance(exc, amqp_errors.AuthenticationError | amqp_errors.ProbableAuthenticationError):
        return AuthenticationError(f"{where} refused the credentials: {exc}")
    if "ACCESS_REFUSED" in str(exc) and isinstance(exc, amqp_errors.AMQPConnectionError):
        return AuthenticationError(f"{where} refused the credentials: {exc}")
    if isinstance(exc, amqp_errors.AMQPChannelError | amqp_errors.DeliveryError):
        return DataError(f"{where}: {exc}")
    if isinstance(exc, amqp_errors.ConnectionNotAllowed) or "Connection.OpenOk" in str(exc):
        return InvalidConfigurationError(
            f"{where} refused to open vhost {fields.vhost!r} (it does not exist or the user may not use it)"
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return InvalidConfigurationError(f"{where}: the broker's certificate is not trusted: {exc.verify_message}")
    if isinstance(exc, TimeoutError):
        hint = "; does it speak TLS on this port? (tls is on)" if fields.tls else ""
        return ModuleTimeoutError(f"{where} did not answer in time{hint}")
    hint = " (tls is on: does the broker speak TLS on this port?)" if fields.tls else ""
    return ConnectionError(f"{where} could not be reached or broke off{hint}: {type(exc).__name__}: {exc}")


_FAILURES = (OSError, TimeoutError, ssl.SSLError, amqp_errors.AMQPError)


@asynccontextmanager
async def open_channel(
    fields: BrokerFields, egress: Egress, seconds: float = CONNECT_TIMEOUT_SECONDS
) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A channel with publisher confirms (returns raise), closed with its connection on the way out."""
    address = await egress.resolve(fields.host, fields.port)
    context = tls_context(fields)
    try:
        connection = await aio_pika.connect(
            host=address, port=fields.port, login=fields.username, password=fields.password,
            virtualhost=fields.vhost, ssl=context is not None, ssl_context=context,
            timeout=min(seconds, CONNECT_TIMEOUT_SECONDS), client_properties={"connection_name": "scenarist"},
        )
    except _FAILURES as exc:
        raise mapped_error(exc, fields) from exc
    try:
        async with asyncio.timeout(seconds):
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            yield channel
    except _FAILURES as exc:
        raise mapped_error(exc, fields) from exc
    finally:
        await connection.close()


async def test(raw_fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """Log in and open a channel."""
    try:
        fields = BrokerFields.model_validate(dict(raw_fields))
    except ValidationError as exc:
        raise InvalidConfigurationError(f"the connection is incomplete: {exc.error_count()} problem(s)") from exc
    async with open_channel(fields, egress or OpenEgress()):
        pass
    return f"connected to {fields.host}:{fields.port} vhost {fields.vhost} ({'TLS' if fields.tls else 'plain'})"


CONNECTION_TYPE = ConnectionType(
    key="amqp.broker", label="AMQP broker (RabbitMQ)", fields=BrokerFields, secret_fields=("password",), test=test,
)
