"""RabbitMQ on 127.0.0.1:5672 (guest/guest, plain): a connection and a unique queue per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import aiormq.exceptions
import pytest

from tests.conftest import service_missing

HOST = os.environ.get("SCENARIST_TEST_AMQP_HOST", "127.0.0.1")
PORT = int(os.environ.get("SCENARIST_TEST_AMQP_PORT", "5672"))


def connection_for(**overrides: Any) -> dict[str, Any]:
    """An ``amqp.broker`` connection to the local broker, plain unless told otherwise."""
    fields = {"host": HOST, "port": PORT, "vhost": "/", "username": "guest", "password": "guest", "tls": False,
              **overrides}
    return {"type": "amqp.broker", "fields": fields}


@pytest.fixture
async def channel() -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A direct channel; skips (fails under CI) without the broker."""
    try:
        connection = await aio_pika.connect(host=HOST, port=PORT, login="guest", password="guest", timeout=5)
    except (OSError, TimeoutError, aiormq.exceptions.AMQPError) as exc:
        service_missing(f"RabbitMQ not reachable at {HOST}:{PORT}: {exc!r}")
    try:
        yield await connection.channel()
    finally:
        await connection.close()


@pytest.fixture
async def queue(channel: aio_pika.abc.AbstractChannel) -> AsyncIterator[aio_pika.abc.AbstractQueue]:
    """A fresh queue ``scenarist-test-<hex>``, deleted afterwards."""
    declared = await channel.declare_queue(f"scenarist-test-{uuid.uuid4().hex[:12]}")
    try:
        yield declared
    finally:
        await declared.delete(if_unused=False, if_empty=False)


@pytest.fixture
def mq() -> dict[str, Any]:
    return connection_for()
