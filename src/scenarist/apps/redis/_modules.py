"""The Redis modules: ``redis.command`` (an allow-listed data command), ``redis.get``, ``redis.set``.

Only data commands run: strings, keys' lifetimes, hashes, lists, sets,
sorted sets, streams, HyperLogLog, bitmaps, geo and PUBLISH. Administration,
scripting and blocking commands (CONFIG, FLUSHALL, FLUSHDB, EVAL, MODULE,
DEBUG, SHUTDOWN, KEYS, BLPOP...) are refused as ``InvalidConfigurationError``.

Replies become JSON: bulk strings are UTF-8 text (base64 when they are not
valid UTF-8), maps objects, sets sorted lists.

redis-py itself (``_client``) is imported by the first command, not with the catalogue.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scenarist.apps.redis._connection import fields_of
from scenarist.sdk import JSON, Bundle, InvalidConfigurationError, RunContext

if TYPE_CHECKING:
    from redis.asyncio import Redis

_COMMAND_WORDS = """
    GET SET GETSET GETDEL GETEX SETNX SETEX PSETEX MGET MSET MSETNX APPEND STRLEN GETRANGE SETRANGE
    INCR INCRBY INCRBYFLOAT DECR DECRBY
    DEL UNLINK EXISTS TYPE EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL PERSIST SCAN
    HGET HSET HSETNX HMGET HMSET HDEL HEXISTS HGETALL HKEYS HVALS HLEN HINCRBY HINCRBYFLOAT HSTRLEN HSCAN
    LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LRANGE LLEN LINDEX LSET LREM LTRIM LINSERT LPOS LMOVE
    SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SINTER SUNION SDIFF SMOVE SSCAN
    ZADD ZREM ZRANGE ZRANGEBYSCORE ZREVRANGE ZREVRANGEBYSCORE ZSCORE ZMSCORE ZINCRBY ZCARD ZCOUNT
    ZRANK ZREVRANK ZPOPMIN ZPOPMAX ZSCAN
    XADD XLEN XRANGE XREVRANGE XDEL XTRIM
    PFADD PFCOUNT SETBIT GETBIT BITCOUNT GEOADD GEODIST GEOPOS GEOSEARCH
    PUBLISH PING ECHO
"""
ALLOWED_COMMANDS = frozenset(_COMMAND_WORDS.split())
Arg = str | int | float


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeout_seconds: float = Field(default=10.0, gt=0, le=60, description="Give up after this many seconds.",
                                   examples=[5])


class CommandParams(_Base):
    """One data command and its arguments."""

    command: str = Field(
        description="The command name, e.g. GET, HSET, LPUSH, PUBLISH (data commands only; any letter case).",
        examples=["HSET"],
    )
    args: list[Arg | dict[str, Any] | list[Any]] = Field(
        default_factory=list,
        description="The command's arguments in order; objects and lists are sent as JSON text.",
        examples=[["order:42", "status", "paid"]],
    )

    @field_validator("command")
    @classmethod
    def _allowed(cls, value: str) -> str:
        name = value.strip().upper()
        if name not in ALLOWED_COMMANDS:
            raise ValueError(f"{value!r} is not an allowed data command")
        return name


class GetParams(_Base):
    """Read one string key."""

    key: str = Field(min_length=1, description="The key to read.", examples=["session:abc"])
    parse_json: bool = Field(default=False, description="Parse the value as JSON when it is JSON.",
                             examples=[True])


class SetParams(_Base):
    """Write one string key."""

    key: str = Field(min_length=1, description="The key to write.", examples=["session:abc"])
    value: Any = Field(description="The value; objects, lists and numbers are stored as JSON text.",
                       examples=[{"user": 7}])
    expire_seconds: int | None = Field(default=None, ge=1, description="Delete the key after this many seconds.",
                                       examples=[3600])
    condition: Literal["always", "if_missing", "if_exists"] = Field(
        default="always", description="Write always, only when the key is missing (NX) or only when it exists (XX).",
        examples=["if_missing"],
    )


def _text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(value).decode("ascii")


def to_json(reply: Any) -> JSON:
    """A reply as JSON (see the module docstring)."""
    if isinstance(reply, bytes | bytearray):
        return _text(bytes(reply))
    if isinstance(reply, Mapping):
        return {str(to_json(k)): to_json(v) for k, v in reply.items()}
    if isinstance(reply, set | frozenset):
        return sorted((to_json(v) for v in reply), key=str)
    if isinstance(reply, list | tuple):
        return [to_json(v) for v in reply]
    return reply


def _argument(value: Any) -> Arg:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value  # type: ignore[no-any-return]


def _connect(ctx: RunContext, seconds: float) -> contextlib.AbstractAsyncContextManager[Redis]:
    """``async with _connect(ctx, seconds) as client``: a client on the step's connection."""
    from scenarist.apps.redis._client import connect

    return connect(fields_of(ctx.connection), ctx.egress, seconds)


async def command(ctx: RunContext, params: CommandParams) -> Bundle:
    """Run the command; ``{result}``."""
    if params.command not in ALLOWED_COMMANDS:
        raise InvalidConfigurationError(f"{params.command!r} is not an allowed data command")
    async with _connect(ctx, params.timeout_seconds) as client:
        arguments = [_argument(a) for a in params.args]
        reply = await client.execute_command(params.command, *arguments)  # type: ignore[no-untyped-call]
    return {"result": to_json(reply)}


async def get(ctx: RunContext, params: GetParams) -> Bundle:
    """``{key, value, exists}``; ``value`` is null for a missing key."""
    async with _connect(ctx, params.timeout_seconds) as client:
        raw = await client.get(params.key)
    value = to_json(raw)
    if params.parse_json and isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    return {"key": params.key, "value": value, "exists": raw is not None}


async def set_(ctx: RunContext, params: SetParams) -> Bundle:
    """``{key, written}``; ``written`` is false when the condition kept the old value."""
    value = params.value if isinstance(params.value, str) else json.dumps(params.value, ensure_ascii=False)
    async with _connect(ctx, params.timeout_seconds) as client:
        written = await client.set(params.key, value, ex=params.expire_seconds,
                                   nx=params.condition == "if_missing", xx=params.condition == "if_exists")
    return {"key": params.key, "written": bool(written)}
