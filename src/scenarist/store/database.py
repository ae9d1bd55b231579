"""Making the async engine and migrating its database.

- ``async_url`` maps ``sqlite://`` and ``postgresql://`` (or ``postgres://``)
  URLs to their async drivers (aiosqlite, asyncpg).
- ``make_engine`` sets the SQLite pragmas on every new connection and starts
  each SQLite write transaction with ``BEGIN IMMEDIATE`` (so a writer waits
  for the lock, bounded by ``busy_timeout``, instead of failing midway); on
  PostgreSQL an optional ``schema`` becomes the connections' search path.
- ``upgrade`` runs the Alembic migrations shipped in ``migrations/`` to head.
  A database already at head (every start but the first after an upgrade)
  is recognised from its ``alembic_version`` row without importing Alembic,
  which with Mako and Pygments weighs about 12 MB of a server's memory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

if TYPE_CHECKING:
    from alembic.config import Config

BUSY_TIMEOUT_MS = 30_000

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA secure_delete=ON",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
)

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}
_MIGRATIONS = Path(__file__).parent / "migrations"
_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_MIGRATION_LOCK = 0x5CE4A515
"""PostgreSQL advisory lock key: processes starting together migrate one at a time."""


def async_url(database_url: str) -> URL:
    """``database_url`` with its driver replaced by the async one."""
    url = make_url(database_url)
    driver = _ASYNC_DRIVERS.get(url.drivername)
    return url.set(drivername=driver) if driver else url


def make_engine(database_url: str, *, schema: str | None = None) -> AsyncEngine:
    """An engine for ``database_url``; ``schema`` (PostgreSQL) sets the search path."""
    url = async_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        return engine
    connect_args: dict[str, Any] = {}
    if schema:
        _check_schema(schema)
        connect_args["server_settings"] = {"search_path": schema}
    return create_async_engine(url, connect_args=connect_args, pool_pre_ping=True)


def _check_schema(schema: str) -> None:
    if not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"invalid schema name {schema!r}")


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()
    # the driver opens a transaction before the first write: make it IMMEDIATE
    dbapi_connection.isolation_level = "IMMEDIATE"


def alembic_config() -> Config:
    """Alembic configured in code, pointing at the migrations in this package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


async def upgrade(engine: AsyncEngine, *, schema: str | None = None) -> None:
    """Migrate the database of ``engine`` to the newest revision."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            if schema:
                _check_schema(schema)
                await connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        if await connection.run_sync(_current_revision) != head_revision():
            await connection.run_sync(_upgrade)


def head_revision() -> str:
    """The newest migration's revision: the files are named after their revisions (``0005_...``)."""
    return max(path.name.split("_", 1)[0] for path in (_MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def _current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    return None if revision is None else str(revision)


def _upgrade(connection: Connection) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
