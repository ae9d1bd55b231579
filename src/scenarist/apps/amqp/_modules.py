"""The ``amqp.publish`` module: one message to an exchange, confirmed by the broker.

The body: text is sent as UTF-8 (``text/plain; charset=utf-8``), any other
JSON value as JSON (``application/json``), unless ``content_type`` says
otherwise. The message id defaults to the operation's idempotency key, the
same on a retry of the same operation, so consumers can drop duplicates.
aio-pika is imported by the first publish, not with the catalogue.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scenarist.apps.amqp._connection import fields_of
from scenarist.sdk import JSON, Bundle, RunContext

HeaderValue = str | int | float | bool | None


class PublishParams(BaseModel):
    """One message and where it goes."""

    model_config = ConfigDict(extra="forbid")

    exchange: str = Field(default="", description="Exchange name; empty: the default exchange "
                          "(the routing key is then a queue name).", examples=["orders"])
    routing_key: str = Field(default="", description="Routing key (a queue name on the default exchange).",
                             examples=["orders.created"])
    body: Any = Field(default="", description="Text is sent as is; any other JSON value as JSON.",
                      examples=[{"id": 42, "total": 19.9}])
    content_type: str | None = Field(default=None, description="Content type; default text/plain for text, "
                                     "application/json otherwise.", examples=["application/json"])
    headers: dict[str, HeaderValue] = Field(default_factory=dict, description="Message headers.",
                                            examples=[{"x-source": "scenarist"}])
    persistent: bool = Field(default=True, description="Ask the broker to write the message to disk.",
                             examples=[True])
    mandatory: bool = Field(default=True, description="Fail (DataError) when no queue receives the message.",
                            examples=[True])
    message_id: str | None = Field(default=None, description="Message id; default: stable per operation.",
                                   examples=["order-42"])
    timeout_seconds: float = Field(default=10.0, gt=0, le=60, description="Give up after this many seconds.",
                                   examples=[10])


def encode_body(value: JSON, content_type: str | None) -> tuple[bytes, str]:
    """The body's bytes and its content type."""
    if isinstance(value, str):
        return value.encode("utf-8"), content_type or "text/plain; charset=utf-8"
    return json.dumps(value, ensure_ascii=False).encode("utf-8"), content_type or "application/json"


async def publish(ctx: RunContext, params: PublishParams) -> Bundle:
    """Publish and wait for the broker's confirm; ``{exchange, routing_key, message_id, content_type, bytes}``."""
    import aio_pika

    from scenarist.apps.amqp._client import open_channel

    body, content_type = encode_body(params.body, params.content_type)
    message_id = params.message_id or ctx.idempotency_key
    message = aio_pika.Message(
        body, content_type=content_type, headers=dict(params.headers), message_id=message_id,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT if params.persistent else aio_pika.DeliveryMode.NOT_PERSISTENT,
        app_id="scenarist",
    )
    async with open_channel(fields_of(ctx.connection), ctx.egress, params.timeout_seconds) as channel:
        if params.exchange:
            exchange = await channel.get_exchange(params.exchange, ensure=True)
        else:
            exchange = channel.default_exchange
        await exchange.publish(message, routing_key=params.routing_key, mandatory=params.mandatory)
    return {"exchange": params.exchange, "routing_key": params.routing_key, "message_id": message_id,
            "content_type": content_type, "bytes": len(body)}
