"""Retention for ``SqlStore``: delete what is older than its window.

Each kind is a few set-based statements in the caller's transaction. A row
exactly at its cutoff (``as_of`` minus the window) is kept: the comparisons
are strict. Kinds run shortest-reaching first so that each count is what its
own window deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from scenarist.store.ports import USAGE_KEPT_DAYS, VERSIONS_KEPT_DAYS, RetentionWindows
from scenarist.store.schema import (
    activity_batches,
    executions,
    gateway_logs,
    incomplete,
    notifications,
    scenario_versions,
    usage_hours,
)


async def purge(conn: AsyncConnection, as_of: datetime, windows: RetentionWindows) -> dict[str, int]:
    """Apply every window as of ``as_of``; the number of rows deleted per kind."""

    def cutoff(days: int) -> datetime:
        return as_of - timedelta(days=days)

    return {
        "notifications": await _delete_before(
            conn, notifications, notifications.c.created_at, cutoff(windows.notifications_days)
        ),
        "incomplete": await _delete_before(conn, incomplete, incomplete.c.created_at, cutoff(windows.incomplete_days)),
        "gateway_logs": await _delete_before(
            conn, gateway_logs, gateway_logs.c.received_at, cutoff(windows.gateway_logs_days)
        ),
        "activity": await _purge_activity(conn, cutoff(windows.activity_days)),
        "runs": await _purge_runs(conn, cutoff(windows.runs_days)),
        "usage": await _delete_before(conn, usage_hours, usage_hours.c.hour, cutoff(USAGE_KEPT_DAYS)),
        "versions": await _purge_versions(conn, cutoff(VERSIONS_KEPT_DAYS)),
    }


async def _purge_versions(conn: AsyncConnection, cutoff: datetime) -> int:
    """Versions saved before ``cutoff``, except each scenario's newest."""
    v = scenario_versions.c
    newest = scenario_versions.alias("newest")
    has_newer = sa.exists().where(newest.c.scenario_id == v.scenario_id, newest.c.n > v.n)
    return (await conn.execute(sa.delete(scenario_versions).where(v.saved_at < cutoff, has_newer))).rowcount


async def _delete_before(conn: AsyncConnection, table: sa.Table, column: sa.Column[datetime], cutoff: datetime) -> int:
    return (await conn.execute(sa.delete(table).where(column < cutoff))).rowcount


async def _purge_activity(conn: AsyncConnection, cutoff: datetime) -> int:
    """Activity batches of executions created before ``cutoff``, and their trigger input."""
    old = executions.c.created_at < cutoff
    batches = sa.delete(activity_batches).where(
        activity_batches.c.execution_id.in_(sa.select(executions.c.id).where(old))
    )
    deleted = (await conn.execute(batches)).rowcount
    clear = sa.update(executions).where(old, executions.c.trigger_input.is_not(None)).values(trigger_input=None)
    await conn.execute(clear)
    return deleted


async def _purge_runs(conn: AsyncConnection, cutoff: datetime) -> int:
    """Executions finished (or, unfinished, created) before ``cutoff``, with all of theirs."""
    c = executions.c
    old = sa.or_(c.finished_at < cutoff, sa.and_(c.finished_at.is_(None), c.created_at < cutoff))
    runs = sa.select(c.id).where(old)
    await conn.execute(sa.delete(activity_batches).where(activity_batches.c.execution_id.in_(runs)))
    await conn.execute(sa.delete(incomplete).where(incomplete.c.execution_id.in_(runs)))
    return (await conn.execute(sa.delete(executions).where(old))).rowcount
