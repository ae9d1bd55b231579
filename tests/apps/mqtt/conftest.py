"""Mosquitto on 127.0.0.1:1883 (plain): a connection and a unique topic root per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiomqtt
import pytest

from tests.conftest import service_missing

HOST = os.environ.get("SCENARIST_TEST_MQTT_HOST", "127.0.0.1")
PORT = int(os.environ.get("SCENARIST_TEST_MQTT_PORT", "1883"))


def connection_for(**overrides: Any) -> dict[str, Any]:
    """An ``mqtt.broker`` connection to the local broker, plain unless told otherwise."""
    return {"type": "mqtt.broker", "fields": {"host": HOST, "port": PORT, "tls": False, **overrides}}


@pytest.fixture
async def broker() -> AsyncIterator[aiomqtt.Client]:
    """A direct client; skips (fails under CI) without the broker."""
    client = aiomqtt.Client(HOST, PORT, timeout=5)
    try:
        await client.__aenter__()
    except aiomqtt.MqttError as exc:
        service_missing(f"MQTT broker not reachable at {HOST}:{PORT}: {exc!r}")
    try:
        yield client
    finally:
        await client.__aexit__(None, None, None)


@pytest.fixture
async def topic(broker: aiomqtt.Client) -> AsyncIterator[str]:
    """``scenarist-test/<hex>``; retained messages under it are cleared afterwards."""
    root = f"scenarist-test/{uuid.uuid4().hex[:12]}"
    yield root
    for leaf in ("", "/a", "/b", "/retained"):
        await broker.publish(f"{root}{leaf}", b"", qos=1, retain=True)


@pytest.fixture
def mq() -> dict[str, Any]:
    return connection_for()
