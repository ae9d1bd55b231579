"""amqp.publish against the local RabbitMQ."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import aio_pika
import pytest

from scenarist.apps.amqp import PUBLISH, app
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    InvalidConfigurationError,
    ModuleError,
)
from tests.apps.amqp.conftest import HOST, PORT, connection_for
from tests.apps.conftest import MakeContext, RecordingEgress, RunModule


async def _take(queue: aio_pika.abc.AbstractQueue) -> aio_pika.abc.AbstractIncomingMessage:
    for _ in range(50):
        message = await queue.get(fail=False)
        if message is not None:
            await message.ack()
            return message
        await asyncio.sleep(0.05)
    raise AssertionError("no message arrived")


async def test_json_body_reaches_the_queue(run_module: RunModule, mq: dict[str, Any],
                                           queue: aio_pika.abc.AbstractQueue) -> None:
    result = await run_module(PUBLISH, {"routing_key": queue.name, "body": {"id": 42, "name": "Ada"},
                                        "headers": {"x-source": "test", "n": 1}}, connection=mq)
    message = await _take(queue)
    assert json.loads(message.body) == {"id": 42, "name": "Ada"}
    assert message.content_type == "application/json"
    assert message.headers == {"x-source": "test", "n": 1}
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert result == {"exchange": "", "routing_key": queue.name, "message_id": message.message_id,
                      "content_type": "application/json", "bytes": len(message.body)}
    assert message.message_id is not None and message.message_id.endswith(":step1:0")  # the idempotency key


async def test_text_body_is_sent_as_text(run_module: RunModule, mq: dict[str, Any],
                                         queue: aio_pika.abc.AbstractQueue) -> None:
    await run_module(PUBLISH, {"routing_key": queue.name, "body": "žluťoučký kůň", "persistent": False,
                               "message_id": "m-1"}, connection=mq)
    message = await _take(queue)
    assert message.body.decode() == "žluťoučký kůň"
    assert message.content_type == "text/plain; charset=utf-8"
    assert message.delivery_mode == aio_pika.DeliveryMode.NOT_PERSISTENT
    assert message.message_id == "m-1"


async def test_publish_through_a_named_exchange(run_module: RunModule, mq: dict[str, Any],
                                                channel: aio_pika.abc.AbstractChannel,
                                                queue: aio_pika.abc.AbstractQueue) -> None:
    exchange = await channel.declare_exchange(f"scenarist-test-{uuid.uuid4().hex[:8]}", aio_pika.ExchangeType.TOPIC,
                                              auto_delete=True)
    await queue.bind(exchange, "orders.*")
    try:
        await run_module(PUBLISH, {"exchange": exchange.name, "routing_key": "orders.created", "body": "x",
                                   "content_type": "text/csv"}, connection=mq)
        message = await _take(queue)
        assert (message.routing_key, message.content_type) == ("orders.created", "text/csv")
    finally:
        await queue.unbind(exchange, "orders.*")
        await exchange.delete()


async def test_unknown_exchange_is_a_data_error(run_module: RunModule, mq: dict[str, Any],
                                                channel: aio_pika.abc.AbstractChannel) -> None:
    with pytest.raises(DataError, match="NOT_FOUND"):
        await run_module(PUBLISH, {"exchange": f"no-such-{uuid.uuid4().hex}", "routing_key": "k", "body": "x"},
                         connection=mq)


async def test_unroutable_mandatory_message_is_a_data_error(run_module: RunModule, mq: dict[str, Any],
                                                            channel: aio_pika.abc.AbstractChannel) -> None:
    with pytest.raises(DataError):
        await run_module(PUBLISH, {"routing_key": f"no-such-queue-{uuid.uuid4().hex}", "body": "x"}, connection=mq)


async def test_unroutable_message_may_be_dropped_when_not_mandatory(run_module: RunModule, mq: dict[str, Any],
                                                                    channel: aio_pika.abc.AbstractChannel) -> None:
    result = await run_module(PUBLISH, {"routing_key": f"no-such-queue-{uuid.uuid4().hex}", "body": "x",
                                        "mandatory": False}, connection=mq)
    assert result["bytes"] == 1


async def test_wrong_password_is_an_authentication_error(run_module: RunModule,
                                                         channel: aio_pika.abc.AbstractChannel) -> None:
    with pytest.raises(AuthenticationError):
        await run_module(PUBLISH, {"routing_key": "k", "body": "x"}, connection=connection_for(password="wrong"))


async def test_unknown_vhost_is_a_configuration_error(run_module: RunModule,
                                                      channel: aio_pika.abc.AbstractChannel) -> None:
    with pytest.raises(InvalidConfigurationError):
        await run_module(PUBLISH, {"routing_key": "k", "body": "x"}, connection=connection_for(vhost="no-such-vh"))


async def test_unreachable_broker_is_a_connection_error(run_module: RunModule) -> None:
    with pytest.raises(ConnectionError, match="could not be reached"):
        await run_module(PUBLISH, {"routing_key": "k", "body": "x"}, connection=connection_for(port=1))


async def test_default_tls_fails_clearly_against_a_plain_broker(run_module: RunModule,
                                                                channel: aio_pika.abc.AbstractChannel) -> None:
    connection = connection_for()
    del connection["fields"]["tls"]
    with pytest.raises(ModuleError, match="TLS") as caught:
        await asyncio.wait_for(run_module(PUBLISH, {"routing_key": "k", "body": "x", "timeout_seconds": 3},
                                          connection=connection), 20)
    assert caught.value.type in {"ConnectionError", "ModuleTimeoutError"}


async def test_connection_goes_to_the_address_the_egress_guard_returns(module_context: MakeContext,
                                                                       queue: aio_pika.abc.AbstractQueue) -> None:
    ctx = module_context("amqp.publish", connection_for(host="rabbit.invalid"))
    ctx.egress = RecordingEgress(HOST)
    await PUBLISH.run(ctx, PUBLISH.params.model_validate({"routing_key": queue.name, "body": "x"}))
    assert ctx.egress.asked == [("rabbit.invalid", PORT)]
    assert (await _take(queue)).body == b"x"


async def test_refused_destination_is_a_connection_error(module_context: MakeContext) -> None:
    ctx = module_context("amqp.publish", connection_for())
    ctx.egress = RecordingEgress(None)
    with pytest.raises(ConnectionError, match="not an allowed destination"):
        await PUBLISH.run(ctx, PUBLISH.params.model_validate({"routing_key": "k", "body": "x"}))


async def test_missing_connection_is_a_configuration_error(run_module: RunModule) -> None:
    with pytest.raises(InvalidConfigurationError, match=r"amqp\.broker"):
        await run_module(PUBLISH, {"routing_key": "k"})


async def test_connection_test_reports_the_broker(channel: aio_pika.abc.AbstractChannel) -> None:
    test = app.connection_types[0].test
    assert test is not None
    assert "plain" in await test(connection_for()["fields"])
