"""Alembic environment: migrates the connection ``scenarist.store.migrate`` hands in.

``migrate.upgrade(engine)`` puts a live synchronous connection in
``config.attributes["connection"]``. Run from the ``alembic`` command line
(e.g. ``revision --autogenerate``), the URL comes from ``sqlalchemy.url`` and
an async engine is made for the run.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from scenarist.store.schema import metadata


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_url(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate)
    finally:
        await engine.dispose()


_given = context.config.attributes.get("connection")
if _given is not None:
    _migrate(_given)
else:
    asyncio.run(_migrate_url(context.config.get_main_option("sqlalchemy.url") or ""))
