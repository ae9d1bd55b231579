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

from scenarist.apps.amqp._connection import CONNECT_TIMEOUT_SECONDS, BrokerFields
from scenarist.sdk import AuthenticationError, ConnectionError, DataError, Egress, InvalidConfigurationError
from scenarist.sdk.sockets import ErrorMap, Rule, resolve

_REFUSED = "{where} refused the credentials: {exc}"


def errors(fields: BrokerFields) -> ErrorMap:
    """aio-pika's and aiormq's failures as contract errors; a refused publish is a ``DataError``."""
    where = f"AMQP broker at {fields.host}:{fields.port}"
    return ErrorMap(
        where,
        Rule((amqp_errors.AuthenticationError, amqp_errors.ProbableAuthenticationError), AuthenticationError,
             _REFUSED),
        Rule(lambda exc: isinstance(exc, amqp_errors.AMQPConnectionError) and "ACCESS_REFUSED" in str(exc),
             AuthenticationError, _REFUSED),
        Rule((amqp_errors.AMQPChannelError, amqp_errors.DeliveryError), DataError),
        Rule(lambda exc: isinstance(exc, amqp_errors.ConnectionNotAllowed) or "Connection.OpenOk" in str(exc),
             InvalidConfigurationError,
             lambda _: f"{where} refused to open vhost {fields.vhost!r} "
             "(it does not exist or the user may not use it)"),
        tls=fields.tls,
        after=(Rule(amqp_errors.AMQPError, ConnectionError, "{where} could not be reached or broke off{hint}: "
                    "{kind}: {exc}"),),
    )


_FAILURES = (OSError, TimeoutError, ssl.SSLError, amqp_errors.AMQPError)


@asynccontextmanager
async def open_channel(
    fields: BrokerFields, egress: Egress, seconds: float = CONNECT_TIMEOUT_SECONDS
) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A channel with publisher confirms (returns raise), closed with its connection on the way out."""
    address = await resolve(egress, fields.host, fields.port)
    context = fields.tls_context()
    mapping = errors(fields)
    with mapping.translating(*_FAILURES):
        connection = await aio_pika.connect(
            host=address, port=fields.port, login=fields.username, password=fields.password,
            virtualhost=fields.vhost, ssl=context is not None, ssl_context=context,
            timeout=min(seconds, CONNECT_TIMEOUT_SECONDS), client_properties={"connection_name": "scenarist"},
        )
    try:
        with mapping.translating(*_FAILURES):
            async with asyncio.timeout(seconds):
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                yield channel
    finally:
        await connection.close()

