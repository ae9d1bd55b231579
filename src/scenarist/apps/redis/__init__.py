"""The Redis app (redis-py, asyncio): allow-listed data commands, get and set.

Connection type ``redis.server`` (host, port, db, username, password (secret),
tls (default true), ca_cert).

Modules:

- ``redis.command`` (action): ``command`` from the data allow-list, ``args``; outputs ``{result}``.
- ``redis.get`` (action): ``key``; outputs ``{key, value, exists}``.
- ``redis.set`` (action): ``key``, ``value``, ``expire_seconds``, ``condition``; outputs ``{key, written}``.

Errors: refused credentials ``AuthenticationError``; an unreachable server
``ConnectionError``; no answer in time ``ModuleTimeoutError``; a command the
server rejects (wrong type, bad arguments) ``DataError`` with its message.
"""

from scenarist.apps.redis._connection import CONNECTION_TYPE, ServerFields
from scenarist.apps.redis._modules import ALLOWED_COMMANDS, CommandParams, GetParams, SetParams, command, get, set_
from scenarist.sdk import App, ModuleSpec

_CONNECTIONS = (CONNECTION_TYPE.key,)

COMMAND = ModuleSpec(
    key="command", label="Run a command",
    description="Run one Redis data command (GET, HSET, LPUSH, PUBLISH...) and output {result}.",
    params=CommandParams, run=command, connection_types=_CONNECTIONS, connection_required=True,
)
GET = ModuleSpec(
    key="get", label="Get a value", description="Read a string key: {key, value, exists}.",
    params=GetParams, run=get, connection_types=_CONNECTIONS, connection_required=True,
)
SET = ModuleSpec(
    key="set", label="Set a value",
    description="Write a string key, optionally with an expiry or only if missing/existing: {key, written}.",
    params=SetParams, run=set_, connection_types=_CONNECTIONS, connection_required=True,
)

app = App(
    key="redis",
    label="Redis",
    description="Read and write Redis keys, hashes, lists and sets; publish messages.",
    modules=(COMMAND, GET, SET),
    connection_types=(CONNECTION_TYPE,),
)

__all__ = ["ALLOWED_COMMANDS", "COMMAND", "GET", "SET", "ServerFields", "app"]
