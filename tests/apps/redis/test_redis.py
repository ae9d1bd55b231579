"""redis.command, redis.get and redis.set against the local server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis
from pydantic import ValidationError

from scenarist.apps.redis import COMMAND, GET, SET, app
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    InvalidConfigurationError,
)
from tests.apps.conftest import MakeContext, RecordingEgress, RunModule
from tests.apps.redis.conftest import HOST, PORT, connection_for


async def test_set_then_get_a_string(run_module: RunModule, rd: dict[str, Any], prefix: str) -> None:
    assert await run_module(COMMAND, {"command": "set", "args": [f"{prefix}a", "žluť"]}, connection=rd) == {
        "result": True}
    assert await run_module(COMMAND, {"command": "GET", "args": [f"{prefix}a"]}, connection=rd) == {"result": "žluť"}


async def test_missing_key_reads_as_null(run_module: RunModule, rd: dict[str, Any], prefix: str) -> None:
    assert await run_module(COMMAND, {"command": "GET", "args": [f"{prefix}none"]}, connection=rd) == {
        "result": None}


async def test_incr_and_expire_return_numbers(run_module: RunModule, rd: dict[str, Any], prefix: str,
                                              admin: aioredis.Redis) -> None:
    key = f"{prefix}n"
    assert await run_module(COMMAND, {"command": "INCR", "args": [key]}, connection=rd) == {"result": 1}
    assert await run_module(COMMAND, {"command": "INCRBY", "args": [key, 41]}, connection=rd) == {"result": 42}
    await run_module(COMMAND, {"command": "EXPIRE", "args": [key, 100]}, connection=rd)
    assert 0 < await admin.ttl(key) <= 100


async def test_hash_commands_return_objects(run_module: RunModule, rd: dict[str, Any], prefix: str) -> None:
    key = f"{prefix}h"
    result = await run_module(COMMAND, {"command": "HSET", "args": [key, "status", "paid", "total", 12.5]},
                              connection=rd)
    assert result == {"result": 2}
    assert await run_module(COMMAND, {"command": "HGETALL", "args": [key]}, connection=rd) == {
        "result": {"status": "paid", "total": "12.5"}}
    assert await run_module(COMMAND, {"command": "HGET", "args": [key, "status"]}, connection=rd) == {
        "result": "paid"}


async def test_list_and_set_commands_return_lists(run_module: RunModule, rd: dict[str, Any], prefix: str) -> None:
    await run_module(COMMAND, {"command": "RPUSH", "args": [f"{prefix}l", "a", "b"]}, connection=rd)
    await run_module(COMMAND, {"command": "LPUSH", "args": [f"{prefix}l", "z"]}, connection=rd)
    assert await run_module(COMMAND, {"command": "LRANGE", "args": [f"{prefix}l", 0, -1]}, connection=rd) == {
        "result": ["z", "a", "b"]}
    await run_module(COMMAND, {"command": "SADD", "args": [f"{prefix}s", "y", "x", "y"]}, connection=rd)
    assert await run_module(COMMAND, {"command": "SMEMBERS", "args": [f"{prefix}s"]}, connection=rd) == {
        "result": ["x", "y"]}


async def test_objects_are_sent_as_json_text(run_module: RunModule, rd: dict[str, Any], prefix: str,
                                             admin: aioredis.Redis) -> None:
    await run_module(COMMAND, {"command": "SET", "args": [f"{prefix}j", {"a": [1, 2]}]}, connection=rd)
    assert await admin.get(f"{prefix}j") == b'{"a": [1, 2]}'


async def test_binary_values_come_back_as_base64(run_module: RunModule, rd: dict[str, Any], prefix: str,
                                                 admin: aioredis.Redis) -> None:
    await admin.set(f"{prefix}bin", b"\xff\x00\x01")
    assert await run_module(COMMAND, {"command": "GET", "args": [f"{prefix}bin"]}, connection=rd) == {
        "result": "/wAB"}


async def test_publish_reaches_a_subscriber(run_module: RunModule, rd: dict[str, Any], prefix: str,
                                            admin: aioredis.Redis) -> None:
    pubsub = admin.pubsub()
    await pubsub.subscribe(f"{prefix}chan")
    try:
        await pubsub.get_message(timeout=1)
        result = await run_module(COMMAND, {"command": "PUBLISH", "args": [f"{prefix}chan", "hello"]}, connection=rd)
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=2)
    finally:
        await pubsub.aclose()
    assert result == {"result": 1}
    assert message is not None and message["data"] == b"hello"


@pytest.mark.parametrize("name", ["CONFIG", "FLUSHALL", "FLUSHDB", "EVAL", "MODULE", "DEBUG", "SHUTDOWN", "KEYS",
                                  "BLPOP", "SCRIPT", "ACL", "MONITOR", "config"])
def test_administrative_commands_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="not an allowed data command"):
        COMMAND.params.model_validate({"command": name, "args": []})


async def test_wrong_type_is_a_data_error_with_the_server_message(run_module: RunModule, rd: dict[str, Any],
                                                                  prefix: str, admin: aioredis.Redis) -> None:
    await admin.set(f"{prefix}str", "x")
    with pytest.raises(DataError, match="WRONGTYPE"):
        await run_module(COMMAND, {"command": "LPUSH", "args": [f"{prefix}str", "a"]}, connection=rd)


async def test_wrong_password_is_an_authentication_error(run_module: RunModule, admin: aioredis.Redis) -> None:
    with pytest.raises(AuthenticationError):
        await run_module(COMMAND, {"command": "PING"},
                         connection=connection_for(username="nobody_here", password="wrong"))


async def test_unreachable_server_is_a_connection_error(run_module: RunModule) -> None:
    with pytest.raises(ConnectionError, match="could not be reached"):
        await run_module(COMMAND, {"command": "PING"}, connection=connection_for(port=1))


async def test_default_tls_fails_clearly_against_a_plain_server(run_module: RunModule,
                                                                admin: aioredis.Redis) -> None:
    connection = connection_for()
    del connection["fields"]["tls"]
    with pytest.raises(ConnectionError, match="does it speak TLS"):
        await asyncio.wait_for(run_module(COMMAND, {"command": "PING", "timeout_seconds": 3}, connection=connection),
                               20)


async def test_connection_goes_to_the_address_the_egress_guard_returns(module_context: MakeContext,
                                                                       admin: aioredis.Redis) -> None:
    ctx = module_context("redis.command", connection_for(host="cache.invalid"))
    ctx.egress = RecordingEgress(HOST)
    assert await COMMAND.run(ctx, COMMAND.params.model_validate({"command": "PING"})) == {"result": True}
    assert ctx.egress.asked == [("cache.invalid", PORT)]


async def test_missing_connection_is_a_configuration_error(run_module: RunModule) -> None:
    with pytest.raises(InvalidConfigurationError, match=r"redis\.server"):
        await run_module(COMMAND, {"command": "PING"})


async def test_set_module_with_condition_and_expiry(run_module: RunModule, rd: dict[str, Any], prefix: str,
                                                    admin: aioredis.Redis) -> None:
    key = f"{prefix}k"
    first = await run_module(SET, {"key": key, "value": {"v": 1}, "expire_seconds": 60, "condition": "if_missing"},
                             connection=rd)
    second = await run_module(SET, {"key": key, "value": "other", "condition": "if_missing"}, connection=rd)
    assert (first, second) == ({"key": key, "written": True}, {"key": key, "written": False})
    assert 0 < await admin.ttl(key) <= 60
    assert await run_module(GET, {"key": key, "parse_json": True}, connection=rd) == {
        "key": key, "value": {"v": 1}, "exists": True}


async def test_get_module_on_a_missing_key(run_module: RunModule, rd: dict[str, Any], prefix: str) -> None:
    assert await run_module(GET, {"key": f"{prefix}none"}, connection=rd) == {
        "key": f"{prefix}none", "value": None, "exists": False}


async def test_connection_test_reports_the_server(admin: aioredis.Redis) -> None:
    test = app.connection_types[0].test
    assert test is not None
    assert "plain" in await test(connection_for()["fields"])


async def test_a_connection_is_closed_after_each_operation(run_module: RunModule, rd: dict[str, Any],
                                                           admin: aioredis.Redis) -> None:
    before = int((await admin.info("clients"))["connected_clients"])
    for _ in range(3):
        await run_module(COMMAND, {"command": "PING"}, connection=rd)
    deadline = asyncio.get_running_loop().time() + 5  # the server counts a closed connection once it reads the close
    while (clients := int((await admin.info("clients"))["connected_clients"])) > before:
        assert asyncio.get_running_loop().time() < deadline, f"{clients - before} connection(s) left open"
        await asyncio.sleep(0.01)
