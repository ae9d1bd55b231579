"""mqtt.publish and the polling trigger mqtt.subscribe against the local Mosquitto."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import aiomqtt
import pytest
from pydantic import ValidationError

from scenarist.apps.mqtt import PUBLISH, SUBSCRIBE, app
from scenarist.sdk import ConnectionError, InvalidConfigurationError, ModuleError, RunContext
from tests.apps.conftest import MakeContext, RecordingEgress, RunModule
from tests.apps.mqtt.conftest import HOST, PORT, connection_for


def _context(module_context: MakeContext, connection: dict[str, Any]) -> RunContext:
    ctx = module_context("mqtt.subscribe", connection)
    ctx.scenario_id = uuid.uuid4().hex  # a broker session of its own
    return ctx


@pytest.fixture
def subscribed(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Set once a client's subscription is acknowledged by the broker (its SUBACK): published messages then
    reach the subscriber, with no guess at how long subscribing takes."""
    acknowledged = asyncio.Event()
    subscribe = aiomqtt.Client.subscribe

    async def spied(self: aiomqtt.Client, *args: Any, **kwargs: Any) -> Any:
        granted = await subscribe(self, *args, **kwargs)
        acknowledged.set()
        return granted

    monkeypatch.setattr(aiomqtt.Client, "subscribe", spied)
    return acknowledged


async def _poll(ctx: RunContext, params: dict[str, Any]) -> list[dict[str, Any]]:
    return await SUBSCRIBE.run(ctx, SUBSCRIBE.params.model_validate(params))  # type: ignore[return-value]


async def _forget_session(ctx: RunContext, topic: str) -> None:
    from scenarist.apps.mqtt._modules import session_id

    async with aiomqtt.Client(HOST, PORT, identifier=session_id(ctx, topic), clean_session=True, timeout=5):
        pass


async def test_published_messages_reach_a_subscriber(run_module: RunModule, module_context: MakeContext,
                                                     mq: dict[str, Any], topic: str,
                                                     subscribed: asyncio.Event) -> None:
    ctx = _context(module_context, mq)
    params = {"topic": f"{topic}/#", "wait_seconds": 3, "max_messages": 2, "persistent_session": False}
    collecting = asyncio.create_task(_poll(ctx, params))
    await asyncio.wait_for(subscribed.wait(), 5)
    first = await run_module(PUBLISH, {"topic": f"{topic}/a", "payload": {"celsius": 21.5}, "qos": 1}, connection=mq)
    await run_module(PUBLISH, {"topic": f"{topic}/b", "payload": "plain words", "qos": 0}, connection=mq)
    bundles = await collecting
    assert first == {"topic": f"{topic}/a", "qos": 1, "retain": False, "bytes": len(b'{"celsius":21.5}')}
    assert bundles == [
        {"topic": f"{topic}/a", "payload": {"celsius": 21.5}, "qos": 1, "retain": False},
        {"topic": f"{topic}/b", "payload": "plain words", "qos": 0, "retain": False},
    ]


async def test_subscribe_returns_nothing_after_wait_seconds(module_context: MakeContext, mq: dict[str, Any],
                                                            topic: str) -> None:
    ctx = _context(module_context, mq)
    started = time.monotonic()
    assert await _poll(ctx, {"topic": f"{topic}/#", "wait_seconds": 0.5, "persistent_session": False}) == []
    assert time.monotonic() - started < 3


async def test_retained_message_is_delivered_with_its_flag(run_module: RunModule, module_context: MakeContext,
                                                           mq: dict[str, Any], topic: str) -> None:
    await run_module(PUBLISH, {"topic": f"{topic}/retained", "payload": 7, "retain": True}, connection=mq)
    ctx = _context(module_context, mq)
    bundles = await _poll(ctx, {"topic": f"{topic}/retained", "wait_seconds": 2, "max_messages": 1,
                                "persistent_session": False})
    assert bundles == [{"topic": f"{topic}/retained", "payload": 7, "qos": 1, "retain": True}]


async def test_persistent_session_keeps_messages_between_polls(run_module: RunModule, module_context: MakeContext,
                                                               mq: dict[str, Any], topic: str) -> None:
    ctx = _context(module_context, mq)
    params = {"topic": f"{topic}/#", "wait_seconds": 0.5, "qos": 1}
    try:
        assert await _poll(ctx, params) == []
        for n in range(3):
            await run_module(PUBLISH, {"topic": f"{topic}/a", "payload": {"n": n}, "qos": 1}, connection=mq)
        bundles = await _poll(ctx, {**params, "wait_seconds": 2, "max_messages": 3})
    finally:
        await _forget_session(ctx, f"{topic}/#")
    assert [b["payload"] for b in bundles] == [{"n": 0}, {"n": 1}, {"n": 2}]


async def test_binary_payload_comes_as_base64(module_context: MakeContext, mq: dict[str, Any], topic: str,
                                              broker: aiomqtt.Client, subscribed: asyncio.Event) -> None:
    ctx = _context(module_context, mq)
    collecting = asyncio.create_task(_poll(ctx, {"topic": f"{topic}/a", "wait_seconds": 3, "max_messages": 1,
                                                 "persistent_session": False}))
    await asyncio.wait_for(subscribed.wait(), 5)
    await broker.publish(f"{topic}/a", b"\xff\x00", qos=1)
    assert await collecting == [{"topic": f"{topic}/a", "payload": "/wA=", "payload_encoding": "base64",
                                 "qos": 1, "retain": False}]


def test_publish_refuses_wildcard_topics() -> None:
    with pytest.raises(ValidationError, match="wildcards"):
        PUBLISH.params.model_validate({"topic": "a/#", "payload": "x"})


async def test_unreachable_broker_is_a_connection_error(run_module: RunModule) -> None:
    with pytest.raises(ConnectionError, match="could not be reached"):
        await run_module(PUBLISH, {"topic": "x", "payload": "y"}, connection=connection_for(port=1))


async def test_default_tls_fails_clearly_against_a_plain_broker(run_module: RunModule,
                                                                broker: aiomqtt.Client) -> None:
    connection = connection_for()
    del connection["fields"]["tls"]
    with pytest.raises(ModuleError, match="does it speak TLS") as caught:
        await asyncio.wait_for(run_module(PUBLISH, {"topic": "x", "payload": "y", "timeout_seconds": 3},
                                          connection=connection), 20)
    assert caught.value.type in {"ConnectionError", "ModuleTimeoutError"}


async def test_connection_goes_to_the_address_the_egress_guard_returns(run_module: RunModule,
                                                                       module_context: MakeContext,
                                                                       broker: aiomqtt.Client) -> None:
    ctx = module_context("mqtt.publish", connection_for(host="broker.invalid"))
    ctx.egress = RecordingEgress(HOST)
    result = await PUBLISH.run(ctx, PUBLISH.params.model_validate({"topic": "scenarist-test/egress", "payload": 1}))
    assert result["bytes"] == 1
    assert ctx.egress.asked == [("broker.invalid", PORT)]


async def test_refused_destination_is_a_connection_error(module_context: MakeContext) -> None:
    ctx = module_context("mqtt.publish", connection_for())
    ctx.egress = RecordingEgress(None)
    with pytest.raises(ConnectionError, match="not an allowed destination"):
        await PUBLISH.run(ctx, PUBLISH.params.model_validate({"topic": "t", "payload": 1}))


async def test_missing_connection_is_a_configuration_error(run_module: RunModule) -> None:
    with pytest.raises(InvalidConfigurationError, match=r"mqtt\.broker"):
        await run_module(PUBLISH, {"topic": "t"})


async def test_connection_test_reports_the_broker(broker: aiomqtt.Client) -> None:
    test = app.connection_types[0].test
    assert test is not None
    assert "plain" in await test(connection_for()["fields"])


def test_subscribe_is_a_polling_trigger() -> None:
    assert SUBSCRIBE.polling and SUBSCRIBE.kind == "search"
