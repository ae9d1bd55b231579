"""The aio-pika side of the AMQP app: a confirming channel, and failures as contract errors.

aio-pika, aiormq and pamqp weigh a couple of megabytes together, so only a
publish or a connection test imports this module; reading the catalogue
(``_connection``, ``_modules``) does not.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aio_pika
import aiormq.exceptions as amqp_errors

from scenarist.apps.amqp._connection import CONNECT_TIMEOUT_SECONDS, BrokerFields, tls_context
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
)


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

