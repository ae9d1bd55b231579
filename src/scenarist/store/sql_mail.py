"""The e-mail half of ``SqlStore``: the queue (``mail_queue``) and the sign-in links (``email_links``).

Several senders may share one database (processes beyond one machine): a
sender takes an e-mail with ``claim_mail``, a compare-and-set of its
``next_attempt_at``, so that no two send it at once; a sender that died
mid-send leaves it to be taken again when its claim ends. A sign-in link is
used by one conditional ``UPDATE``, so two clicks racing cannot both win.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from scenarist.store.ports import EMAIL_LINKS_KEPT, EmailLinkRecord, MailRecord
from scenarist.store.schema import accounts, email_links, mail_queue
from scenarist.store.sql_base import SqlBase
from scenarist.types import AccountId


def mail_record(row: Any) -> MailRecord:
    return MailRecord(**row._mapping)


class SqlMail(SqlBase):
    async def enqueue_mails(self, mails: list[MailRecord]) -> None:
        if not mails:
            return
        async with self._begin("mail id taken") as conn:
            await conn.execute(sa.insert(mail_queue), [vars(mail) for mail in mails])

    async def due_mails(self, now: datetime, limit: int = 50) -> list[MailRecord]:
        c = mail_queue.c
        query = sa.select(mail_queue).where(c.next_attempt_at <= now).order_by(c.next_attempt_at, c.id).limit(limit)
        async with self._connect() as conn:
            return [mail_record(row) for row in (await conn.execute(query)).all()]

    async def next_mail_at(self) -> datetime | None:
        async with self._connect() as conn:
            found: datetime | None = await conn.scalar(sa.select(sa.func.min(mail_queue.c.next_attempt_at)))
        return found

    async def claim_mail(self, mail: MailRecord, until: datetime) -> bool:
        c = mail_queue.c
        stmt = (sa.update(mail_queue).where(c.id == mail.id, c.next_attempt_at == mail.next_attempt_at)
                .values(next_attempt_at=until))
        async with self._begin() as conn:
            return (await conn.execute(stmt)).rowcount == 1

    async def retry_mail(self, mail_id: str, *, attempts: int, next_attempt_at: datetime, error: str) -> None:
        stmt = (sa.update(mail_queue).where(mail_queue.c.id == mail_id)
                .values(attempts=attempts, next_attempt_at=next_attempt_at, last_error=error))
        async with self._begin() as conn:
            await conn.execute(stmt)

    async def delete_mail(self, mail_id: str) -> bool:
        async with self._begin() as conn:
            return (await conn.execute(sa.delete(mail_queue).where(mail_queue.c.id == mail_id))).rowcount == 1

    async def create_email_link(self, link: EmailLinkRecord, mail: MailRecord) -> None:
        stale = sa.delete(email_links).where(email_links.c.expires_at < link.created_at - EMAIL_LINKS_KEPT)
        async with self._begin("sign-in link or mail id taken") as conn:
            await conn.execute(stale)
            await conn.execute(sa.insert(email_links).values(
                vars(link) | {"email_key": link.email.lower(), "mail_id": mail.id}))
            await conn.execute(sa.insert(mail_queue).values(vars(mail)))

    async def use_email_link(self, token_hash: str, now: datetime) -> str | None:
        c = email_links.c
        stmt = (sa.update(email_links).where(c.token_hash == token_hash, c.used_at.is_(None), c.expires_at > now)
                .values(used_at=now).returning(c.email))
        async with self._begin() as conn:
            email: str | None = (await conn.execute(stmt)).scalar()
        return email


async def erase_mail(conn: AsyncConnection, account_id: AccountId) -> int:
    """Delete the account's queued e-mails, the sign-in links to its address and their e-mails not sent yet
    (before the account row: the links are found by its address)."""
    address = sa.select(accounts.c.email_key).where(accounts.c.id == account_id).scalar_subquery()
    own_links = email_links.c.email_key == address
    link_mails = sa.select(email_links.c.mail_id).where(own_links, email_links.c.mail_id.is_not(None))
    mails = await conn.execute(sa.delete(mail_queue).where(
        sa.or_(mail_queue.c.account_id == account_id, mail_queue.c.id.in_(link_mails))))
    links = await conn.execute(sa.delete(email_links).where(own_links))
    return links.rowcount + mails.rowcount
