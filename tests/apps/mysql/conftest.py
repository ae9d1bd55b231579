"""MariaDB/MySQL on 127.0.0.1:3306 (root, empty password, db ``test``): a connection and a table per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiomysql
import pymysql
import pytest

from tests.conftest import service_missing

HOST = os.environ.get("SCENARIST_TEST_MYSQL_HOST", "127.0.0.1")
PORT = int(os.environ.get("SCENARIST_TEST_MYSQL_PORT", "3306"))


def connection_for(**overrides: Any) -> dict[str, Any]:
    """A ``mysql.database`` connection to the local server, plain unless told otherwise."""
    fields = {"host": HOST, "port": PORT, "database": "test", "username": "root", "password": "",
              "tls": "disable", **overrides}
    return {"type": "mysql.database", "fields": fields}


class Admin:
    """A direct session for setting up and checking."""

    def __init__(self, connection: aiomysql.Connection) -> None:
        self.connection = connection

    async def execute(self, sql: str, args: Any = None) -> None:
        async with self.connection.cursor() as cursor:
            await cursor.execute(sql, args)

    async def fetchval(self, sql: str, args: Any = None) -> Any:
        async with self.connection.cursor() as cursor:
            await cursor.execute(sql, args)
            row = await cursor.fetchone()
        return row[0] if row else None


@pytest.fixture
async def admin() -> AsyncIterator[Admin]:
    """Skips (fails under CI) without the server."""
    try:
        connection = await aiomysql.connect(host=HOST, port=PORT, user="root", password="", db="test",
                                            autocommit=True, connect_timeout=5)
    except (OSError, pymysql.MySQLError) as exc:
        service_missing(f"MySQL/MariaDB not reachable at {HOST}:{PORT}: {exc!r}")
    try:
        yield Admin(connection)
    finally:
        await connection.ensure_closed()


@pytest.fixture
def my() -> dict[str, Any]:
    return connection_for()


@pytest.fixture
async def table(admin: Admin) -> AsyncIterator[str]:
    """A fresh table (id auto_increment, name, amount decimal, created datetime, extra json, `select`)."""
    name = f"scen_t_{uuid.uuid4().hex[:12]}"
    await admin.execute(
        f"CREATE TABLE `{name}` (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(200), amount DECIMAL(12, 2), "
        "created DATETIME DEFAULT CURRENT_TIMESTAMP, extra JSON, `select` VARCHAR(20))"
    )
    try:
        yield name
    finally:
        await admin.execute(f"DROP TABLE IF EXISTS `{name}`")
