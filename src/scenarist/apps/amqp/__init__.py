"""The AMQP app (aio-pika, RabbitMQ): publish messages with publisher confirms.

Connection type ``amqp.broker`` (host, port, vhost, username, password
(secret), tls (default true), ca_cert).

Module ``amqp.publish`` (action): ``exchange`` (default ""), ``routing_key``,
``body`` (text or JSON), ``content_type``, ``headers``, ``persistent``,
``mandatory``, ``message_id``; outputs ``{exchange, routing_key, message_id,
content_type, bytes}`` once the broker confirmed the message.

Errors: refused credentials ``AuthenticationError``; an unknown vhost
``InvalidConfigurationError``; an unknown exchange or an unroutable mandatory
message ``DataError``; an unreachable broker ``ConnectionError``.
"""

from scenarist.apps.amqp._connection import CONNECTION_TYPE, BrokerFields
from scenarist.apps.amqp._modules import PublishParams, publish
from scenarist.sdk import App, ModuleSpec

PUBLISH = ModuleSpec(
    key="publish", label="Publish a message",
    description="Publish one message (text or JSON) to an exchange and wait for the broker's confirmation.",
    params=PublishParams, run=publish, connection_types=(CONNECTION_TYPE.key,), connection_required=True,
)

app = App(
    key="amqp",
    label="AMQP (RabbitMQ)",
    description="Publish messages to RabbitMQ and other AMQP 0-9-1 brokers.",
    modules=(PUBLISH,),
    connection_types=(CONNECTION_TYPE,),
)

__all__ = ["PUBLISH", "BrokerFields", "app"]
