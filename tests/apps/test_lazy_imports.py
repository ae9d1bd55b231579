"""Reading the catalogue loads no client library: each is imported by the first run or connection test.

The server discovers every app at start. Client libraries (asyncssh, redis-py,
aio-pika, the SQL drivers...) cost tens of megabytes together, and an instance
that never talks to Redis should not carry redis-py. The check runs in a fresh
interpreter, since this test process has long imported them all.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = frozenset({
    "asyncssh", "redis", "aio_pika", "aiormq", "pamqp", "aiomysql", "pymysql", "asyncpg",
    "aiomqtt", "paho", "aiosmtplib", "OpenSSL", "pyftpdlib", "regex", "defusedxml",
})
"""Top-level packages that only a module run or a connection test may import."""

_DISCOVER = """
import json, sys
from scenarist.engine.registry import Registry
catalogue = Registry.discover().catalogue()
print(json.dumps({"apps": [app["key"] for app in catalogue], "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _discover_in_fresh_interpreter() -> dict[str, list[str]]:
    done = subprocess.run([sys.executable, "-c", _DISCOVER], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found: dict[str, list[str]] = json.loads(done.stdout)
    return found


def test_discovering_the_apps_and_reading_the_catalogue_imports_no_client_library() -> None:
    found = _discover_in_fresh_interpreter()
    assert {"amqp", "email", "ftp", "mqtt", "mysql", "postgres", "redis", "text", "xml"} <= set(found["apps"])
    assert sorted(HEAVY & set(found["loaded"])) == []
