"""Accounts, sessions and API tokens of ``MemoryStore``, and the helpers both halves use.

Same semantics as ``sql_accounts.py``: e-mails compared lower-cased, sessions
and tokens only for an existing account.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime
from typing import Any, TypeVar

from scenarist.store.codec import copy_json, utc
from scenarist.store.ports import AccountRecord, SessionRecord, TokenRecord
from scenarist.types import AccountId

R = TypeVar("R")


def copy_record(record: R) -> R:
    """``record`` with its times in UTC and its JSON values deep-copied."""
    changes: dict[str, Any] = {}
    for f in fields(record):  # type: ignore[arg-type]
        value = getattr(record, f.name)
        if isinstance(value, datetime):
            changes[f.name] = utc(value)
        elif isinstance(value, dict | list):
            changes[f.name] = copy_json(value)
    return replace(record, **changes)  # type: ignore[type-var]


def by_created(record: Any) -> tuple[datetime, str]:
    return record.created_at, record.id


def own(records: dict[Any, R], account_id: AccountId) -> list[R]:
    return [r for r in records.values() if r.account_id == account_id]  # type: ignore[attr-defined]


def own_oldest_first(records: dict[Any, R], account_id: AccountId) -> list[R]:
    return [copy_record(r) for r in sorted(own(records, account_id), key=by_created)]


def without(records: dict[Any, R], account_id: AccountId) -> dict[Any, R]:
    return {k: r for k, r in records.items() if r.account_id != account_id}  # type: ignore[attr-defined]


class MemoryAccounts:
    def __init__(self) -> None:
        self._accounts: dict[AccountId, AccountRecord] = {}
        self._sessions: dict[str, SessionRecord] = {}
        self._tokens: dict[str, TokenRecord] = {}
        self._proven: set[AccountId] = set()

    # accounts

    async def create_account(self, account: AccountRecord) -> bool:
        """False when the e-mail is taken; ``ValueError`` when the id is."""
        if account.id in self._accounts:
            raise ValueError(f"account id {account.id} taken")
        if await self.get_account_by_email(account.email) is not None:
            return False
        self._accounts[account.id] = copy_record(account)
        return True

    async def get_account(self, account_id: AccountId) -> AccountRecord | None:
        account = self._accounts.get(account_id)
        return None if account is None else copy_record(account)

    async def get_account_by_email(self, email: str) -> AccountRecord | None:
        key = email.lower()
        found = next((a for a in self._accounts.values() if a.email.lower() == key), None)
        return None if found is None else copy_record(found)

    async def set_password(self, account_id: AccountId, password_hash: str, *, keep_session: str | None) -> bool:
        account = self._accounts.get(account_id)
        if account is None:
            return False
        self._accounts[account_id] = replace(account, password_hash=password_hash)
        self._sessions = {k: s for k, s in self._sessions.items() if s.account_id != account_id or k == keep_session}
        return True

    async def prove_email(self, account_id: AccountId, now: datetime) -> bool:
        account = self._accounts.get(account_id)
        if account is None or account_id in self._proven:
            return False
        self._proven.add(account_id)
        self._accounts[account_id] = replace(account, password_hash=None)
        self._sessions = {k: s for k, s in self._sessions.items() if s.account_id != account_id}
        self._tokens = {k: t for k, t in self._tokens.items() if t.account_id != account_id}
        return True

    # sessions

    async def create_session(self, session: SessionRecord) -> None:
        """``ValueError`` when the id hash is taken or the account does not exist."""
        if session.id_hash in self._sessions or session.account_id not in self._accounts:
            raise ValueError("session id taken or no such account")
        self._sessions[session.id_hash] = copy_record(session)

    async def get_session(self, id_hash: str) -> SessionRecord | None:
        session = self._sessions.get(id_hash)
        return None if session is None else copy_record(session)

    async def touch_session(self, id_hash: str, last_seen_at: datetime) -> None:
        """Move ``last_seen_at`` forward (a late, older touch does not move it back)."""
        session = self._sessions.get(id_hash)
        if session is not None and session.last_seen_at < utc(last_seen_at):
            self._sessions[id_hash] = replace(session, last_seen_at=utc(last_seen_at))

    async def delete_session(self, id_hash: str) -> None:
        self._sessions.pop(id_hash, None)

    async def delete_sessions(self, *, idle_before: datetime, created_before: datetime) -> int:
        """As the port says; a session exactly at a cut-off is kept."""
        idle_before, created_before = utc(idle_before), utc(created_before)
        ended = [
            key for key, s in self._sessions.items() if s.last_seen_at < idle_before or s.created_at < created_before
        ]
        for key in ended:
            del self._sessions[key]
        return len(ended)

    # API tokens

    async def create_token(self, token: TokenRecord) -> None:
        """``ValueError`` when the id or hash is taken or the account does not exist."""
        hash_taken = any(t.token_hash == token.token_hash for t in self._tokens.values())
        if token.id in self._tokens or hash_taken or token.account_id not in self._accounts:
            raise ValueError(f"token {token.id}: id or hash taken, or no such account")
        self._tokens[token.id] = copy_record(token)

    async def get_token_by_hash(self, token_hash: str) -> TokenRecord | None:
        found = next((t for t in self._tokens.values() if t.token_hash == token_hash), None)
        return None if found is None else copy_record(found)

    async def list_tokens(self, account_id: AccountId) -> list[TokenRecord]:
        """Oldest first."""
        return own_oldest_first(self._tokens, account_id)

    async def delete_token(self, account_id: AccountId, token_id: str) -> bool:
        token = self._tokens.get(token_id)
        if token is None or token.account_id != account_id:
            return False
        del self._tokens[token_id]
        return True
