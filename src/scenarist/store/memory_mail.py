"""The e-mail queue and the sign-in links of ``MemoryStore``, with the semantics of ``sql_mail.py``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from scenarist.store.codec import utc
from scenarist.store.memory_accounts import copy_record
from scenarist.store.ports import EMAIL_LINKS_KEPT, AccountRecord, EmailLinkRecord, MailRecord
from scenarist.types import AccountId


class MemoryMail:
    _accounts: dict[AccountId, AccountRecord]

    def __init__(self) -> None:
        super().__init__()
        self._mails: dict[str, MailRecord] = {}
        self._links: dict[str, EmailLinkRecord] = {}
        self._link_mails: dict[str, str] = {}
        """Each link's e-mail (by token hash)."""

    async def enqueue_mails(self, mails: list[MailRecord]) -> None:
        ids = [mail.id for mail in mails]
        if len(set(ids)) != len(ids) or any(i in self._mails for i in ids):
            raise ValueError("mail id taken")
        for mail in mails:
            self._mails[mail.id] = copy_record(mail)

    async def due_mails(self, now: datetime, limit: int = 50) -> list[MailRecord]:
        due = sorted((m for m in self._mails.values() if m.next_attempt_at <= utc(now)),
                     key=lambda m: (m.next_attempt_at, m.id))
        return [copy_record(m) for m in due[:limit]]

    async def next_mail_at(self) -> datetime | None:
        return min((m.next_attempt_at for m in self._mails.values()), default=None)

    async def claim_mail(self, mail: MailRecord, until: datetime) -> bool:
        held = self._mails.get(mail.id)
        if held is None or held.next_attempt_at != utc(mail.next_attempt_at):
            return False
        self._mails[mail.id] = replace(held, next_attempt_at=utc(until))
        return True

    async def retry_mail(self, mail_id: str, *, attempts: int, next_attempt_at: datetime, error: str) -> None:
        held = self._mails.get(mail_id)
        if held is not None:
            self._mails[mail_id] = replace(held, attempts=attempts, next_attempt_at=utc(next_attempt_at),
                                           last_error=error)

    async def delete_mail(self, mail_id: str) -> bool:
        return self._mails.pop(mail_id, None) is not None

    async def create_email_link(self, link: EmailLinkRecord, mail: MailRecord) -> None:
        if link.token_hash in self._links or mail.id in self._mails:
            raise ValueError("sign-in link or mail id taken")
        horizon = utc(link.created_at) - EMAIL_LINKS_KEPT
        self._links = {k: v for k, v in self._links.items() if v.expires_at >= horizon}
        self._link_mails = {k: v for k, v in self._link_mails.items() if k in self._links}
        self._links[link.token_hash] = copy_record(link)
        self._link_mails[link.token_hash] = mail.id
        self._mails[mail.id] = copy_record(mail)

    async def use_email_link(self, token_hash: str, now: datetime) -> str | None:
        link = self._links.get(token_hash)
        if link is None or link.used_at is not None or link.expires_at <= utc(now):
            return None
        self._links[token_hash] = replace(link, used_at=utc(now))
        return link.email

    def _forget_mail(self, account_id: AccountId) -> None:
        """The account's queued e-mails, the sign-in links to its address and their e-mails."""
        account = self._accounts.get(account_id)
        key = account.email.lower() if account else None
        gone = {k for k, v in self._links.items() if v.email.lower() == key}
        link_mails = {self._link_mails.pop(k) for k in gone if k in self._link_mails}
        self._links = {k: v for k, v in self._links.items() if k not in gone}
        self._mails = {k: v for k, v in self._mails.items() if v.account_id != account_id and k not in link_mails}
