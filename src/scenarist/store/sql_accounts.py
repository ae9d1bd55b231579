"""The account half of ``SqlStore``: accounts, sessions, API tokens, erasure, export.

An e-mail is unique through ``email_key``, its lower-cased form, so the
check is the database's and two registrations racing cannot both win.
Sessions and tokens belong to an existing account (a foreign key).
``delete_account`` deletes, child tables first, every row that carries the
account (connections and data stores included) or hangs under one of its scenarios; on SQLite ``secure_delete``
overwrites what it deleted, and a WAL checkpoint then removes the pages' older versions from the WAL.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from scenarist.store import export
from scenarist.store.codec import decode_activity
from scenarist.store.ports import (
    AccountRecord,
    ActivityRecord,
    ExecutionRecord,
    IncompleteRecord,
    NotificationRecord,
    ScenarioRecord,
    ScenarioVersion,
    SessionRecord,
    TokenRecord,
)
from scenarist.store.schema import (
    accounts,
    activity_batches,
    api_tokens,
    connections,
    executions,
    gateway_logs,
    incomplete,
    notifications,
    scenario_state,
    scenario_versions,
    scenarios,
    sessions,
    usage_hours,
)
from scenarist.store.sql_base import EXECUTION_COLUMNS, GATEWAY_SUMMARY, SqlBase, execution_record, gateway_log_record
from scenarist.store.sql_connections import connection_record
from scenarist.store.sql_datastores import erase_data_stores, load_data_stores
from scenarist.store.sql_mail import erase_mail
from scenarist.types import AccountId, ExecutionId

ACCOUNT_COLUMNS = [c for c in accounts.c if c.name not in ("email_key", "email_proven_at")]


def email_key(email: str) -> str:
    """The form an e-mail is unique and looked up in."""
    return email.lower()


class SqlAccounts(SqlBase):
    # accounts

    async def create_account(self, account: AccountRecord) -> bool:
        """False when the e-mail is taken; ``ValueError`` when the id is."""
        stmt = (
            self._insert(accounts)
            .values(vars(account) | {"email_key": email_key(account.email)})
            .on_conflict_do_nothing(index_elements=[accounts.c.email_key])
        )
        async with self._begin(f"account id {account.id} taken") as conn:
            return (await conn.execute(stmt)).rowcount == 1

    async def get_account(self, account_id: AccountId) -> AccountRecord | None:
        return await self._account(accounts.c.id == account_id)

    async def get_account_by_email(self, email: str) -> AccountRecord | None:
        return await self._account(accounts.c.email_key == email_key(email))

    async def _account(self, where: sa.ColumnElement[bool]) -> AccountRecord | None:
        async with self._connect() as conn:
            row = (await conn.execute(sa.select(*ACCOUNT_COLUMNS).where(where))).first()
        return None if row is None else AccountRecord(**row._mapping)

    async def set_password(self, account_id: AccountId, password_hash: str, *, keep_session: str | None) -> bool:
        """As the port says, in one transaction."""
        c = sessions.c
        others = sa.delete(sessions).where(c.account_id == account_id)
        if keep_session is not None:
            others = others.where(c.id_hash != keep_session)
        async with self._begin() as conn:
            changed = await conn.execute(
                sa.update(accounts).where(accounts.c.id == account_id).values(password_hash=password_hash))
            if changed.rowcount != 1:
                return False
            await conn.execute(others)
        return True

    async def prove_email(self, account_id: AccountId, now: datetime) -> bool:
        """As the port says, in one transaction: the first proof wins the row, and clears what came before."""
        first = (sa.update(accounts).where(accounts.c.id == account_id, accounts.c.email_proven_at.is_(None))
                 .values(email_proven_at=now, password_hash=None))
        async with self._begin() as conn:
            if (await conn.execute(first)).rowcount != 1:
                return False
            await conn.execute(sa.delete(sessions).where(sessions.c.account_id == account_id))
            await conn.execute(sa.delete(api_tokens).where(api_tokens.c.account_id == account_id))
        return True

    async def delete_account(self, account_id: AccountId) -> bool:
        """As the port says; False when nothing of the account was there."""
        async with self._begin() as conn:
            erased = await _erase(conn, account_id) > 0
        await self.checkpoint_wal()
        return erased

    async def export_account(self, account_id: AccountId) -> dict[str, Any]:
        async with self._connect() as conn:
            return export.export(await _load(conn, account_id))

    # sessions

    async def create_session(self, session: SessionRecord) -> None:
        """``ValueError`` when the id hash is taken or the account does not exist."""
        async with self._begin("session id taken or no such account") as conn:
            await conn.execute(sa.insert(sessions).values(vars(session)))

    async def get_session(self, id_hash: str) -> SessionRecord | None:
        async with self._connect() as conn:
            row = (await conn.execute(sa.select(sessions).where(sessions.c.id_hash == id_hash))).first()
        return None if row is None else SessionRecord(**row._mapping)

    async def touch_session(self, id_hash: str, last_seen_at: datetime) -> None:
        """Move ``last_seen_at`` forward (a late, older touch does not move it back)."""
        c = sessions.c
        stmt = sa.update(sessions).where(c.id_hash == id_hash, c.last_seen_at < last_seen_at)
        async with self._begin() as conn:
            await conn.execute(stmt.values(last_seen_at=last_seen_at))

    async def delete_session(self, id_hash: str) -> None:
        async with self._begin() as conn:
            await conn.execute(sa.delete(sessions).where(sessions.c.id_hash == id_hash))

    async def delete_sessions(self, *, idle_before: datetime, created_before: datetime) -> int:
        """As the port says; a session exactly at a cut-off is kept."""
        c = sessions.c
        stmt = sa.delete(sessions).where(sa.or_(c.last_seen_at < idle_before, c.created_at < created_before))
        async with self._begin() as conn:
            return (await conn.execute(stmt)).rowcount

    # API tokens

    async def create_token(self, token: TokenRecord) -> None:
        """``ValueError`` when the id or hash is taken or the account does not exist."""
        async with self._begin(f"token {token.id}: id or hash taken, or no such account") as conn:
            await conn.execute(sa.insert(api_tokens).values(vars(token)))

    async def get_token_by_hash(self, token_hash: str) -> TokenRecord | None:
        query = sa.select(api_tokens).where(api_tokens.c.token_hash == token_hash)
        async with self._connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else TokenRecord(**row._mapping)

    async def list_tokens(self, account_id: AccountId) -> list[TokenRecord]:
        """Oldest first."""
        async with self._connect() as conn:
            return await _tokens(conn, account_id)

    async def delete_token(self, account_id: AccountId, token_id: str) -> bool:
        stmt = sa.delete(api_tokens).where(api_tokens.c.account_id == account_id, api_tokens.c.id == token_id)
        async with self._begin() as conn:
            return (await conn.execute(stmt)).rowcount == 1


async def _erase(conn: AsyncConnection, account_id: AccountId) -> int:
    """Delete every row of the account, children first; how many rows went."""
    own_runs = sa.select(executions.c.id).where(executions.c.account_id == account_id)
    own_scenarios = sa.select(scenarios.c.id).where(scenarios.c.account_id == account_id)
    erased = await erase_data_stores(conn, account_id)  # first: it locks as the stores' writers do
    erased += await erase_mail(conn, account_id)  # before the account row: links go by its address
    statements = [
        sa.delete(activity_batches).where(activity_batches.c.execution_id.in_(own_runs)),
        sa.delete(incomplete).where(incomplete.c.account_id == account_id),
        sa.delete(executions).where(executions.c.account_id == account_id),
        sa.delete(scenario_state).where(scenario_state.c.scenario_id.in_(own_scenarios)),
        sa.delete(scenario_versions).where(scenario_versions.c.account_id == account_id),
        sa.delete(scenarios).where(scenarios.c.account_id == account_id),
        sa.delete(notifications).where(notifications.c.account_id == account_id),
        sa.delete(gateway_logs).where(gateway_logs.c.account_id == account_id),
        sa.delete(usage_hours).where(usage_hours.c.account_id == account_id),
        sa.delete(sessions).where(sessions.c.account_id == account_id),
        sa.delete(api_tokens).where(api_tokens.c.account_id == account_id),
        sa.delete(connections).where(connections.c.account_id == account_id),
        sa.delete(accounts).where(accounts.c.id == account_id),
    ]
    return erased + sum([(await conn.execute(statement)).rowcount for statement in statements])


async def _load(conn: AsyncConnection, account_id: AccountId) -> export.AccountData:
    """Everything of the account, for the export."""
    account = (await conn.execute(sa.select(*ACCOUNT_COLUMNS).where(accounts.c.id == account_id))).first()
    return export.AccountData(
        account=None if account is None else AccountRecord(**account._mapping),
        scenarios=[ScenarioRecord(**r._mapping) for r in await _rows(conn, scenarios, account_id)],
        executions=await _executions_with_logs(conn, account_id),
        incomplete=[IncompleteRecord(**r._mapping) for r in await _rows(conn, incomplete, account_id)],
        notifications=[NotificationRecord(**r._mapping) for r in await _rows(conn, notifications, account_id)],
        tokens=await _tokens(conn, account_id),
        sessions=[SessionRecord(**r._mapping) for r in await _rows(conn, sessions, account_id, "id_hash")],
        gateway_logs=[
            gateway_log_record(r._mapping)
            for r in await _rows(conn, gateway_logs, account_id, "id", GATEWAY_SUMMARY, "received_at")
        ],
        connections=[connection_record(r) for r in await _rows(conn, connections, account_id)],
        data_stores=await load_data_stores(conn, account_id),
        versions=await _versions(conn, account_id),
    )


async def _versions(conn: AsyncConnection, account_id: AccountId) -> list[ScenarioVersion]:
    v = scenario_versions.c
    query = sa.select(v.scenario_id, v.n, v.saved_at, v.definition).where(v.account_id == account_id)
    return [ScenarioVersion(**r._mapping) for r in (await conn.execute(query.order_by(v.scenario_id, v.n))).all()]


async def _rows(
    conn: AsyncConnection,
    table: sa.Table,
    account_id: AccountId,
    key: str = "id",
    columns: list[sa.Column[Any]] | None = None,
    time: str = "created_at",
) -> list[sa.Row[Any]]:
    """The account's rows of ``table``, oldest first (``time``, then ``key``)."""
    query = sa.select(*(columns or table.c)).where(table.c.account_id == account_id)
    return list((await conn.execute(query.order_by(table.c[time], table.c[key]))).all())


async def _tokens(conn: AsyncConnection, account_id: AccountId) -> list[TokenRecord]:
    return [TokenRecord(**r._mapping) for r in await _rows(conn, api_tokens, account_id)]


async def _executions_with_logs(
    conn: AsyncConnection, account_id: AccountId
) -> list[tuple[ExecutionRecord, list[ActivityRecord]]]:
    runs = await _rows(conn, executions, account_id, columns=EXECUTION_COLUMNS)
    query = (
        sa.select(activity_batches.c.execution_id, activity_batches.c.data)
        .join(executions, executions.c.id == activity_batches.c.execution_id)
        .where(executions.c.account_id == account_id)
        .order_by(activity_batches.c.execution_id, activity_batches.c.seq)
    )
    logs: dict[ExecutionId, list[ActivityRecord]] = defaultdict(list)
    for execution_id, blob in (await conn.execute(query)).all():
        logs[execution_id] += decode_activity(blob)
    return [(execution_record(run), logs[run.id]) for run in runs]
