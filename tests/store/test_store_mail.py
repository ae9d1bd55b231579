"""The e-mail queue and the sign-in links: on every backend (see ``conftest.py``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from scenarist.store.ports import EmailLinkRecord, MailRecord, Store
from tests.store.store_records import SECOND, T0, A, B, account, stored_account

MINUTE = timedelta(minutes=1)


def mail(mail_id: str, *, at: datetime = T0, account_id: str | None = None,
         discard_after: datetime | None = None) -> MailRecord:
    return MailRecord(id=mail_id, sealed=b"\x00sealed " + mail_id.encode(), created_at=at, next_attempt_at=at,
                      account_id=account_id, discard_after=discard_after)


def link(token_hash: str = "h" * 64, email: str = "Ann@Example.com", *, at: datetime = T0) -> EmailLinkRecord:
    return EmailLinkRecord(token_hash=token_hash, email=email, created_at=at, expires_at=at + 15 * MINUTE)


async def test_queued_mails_come_due_in_order_and_round_trip(store: Store) -> None:
    later, first = mail("m2", at=T0 + SECOND), mail("m1", account_id=A, discard_after=T0 + MINUTE)
    await store.enqueue_mails([later, first])
    assert await store.due_mails(T0 - SECOND) == []
    assert await store.due_mails(T0) == [first]
    assert await store.due_mails(T0 + SECOND) == [first, later]
    assert await store.due_mails(T0 + SECOND, limit=1) == [first]
    assert await store.next_mail_at() == T0
    with pytest.raises(ValueError):
        await store.enqueue_mails([mail("m1")])


async def test_a_mail_is_claimed_once_then_retried_or_deleted(store: Store) -> None:
    await store.enqueue_mails([mail("m1")])
    [seen] = await store.due_mails(T0)
    assert await store.claim_mail(seen, T0 + 5 * MINUTE) is True
    assert await store.claim_mail(seen, T0 + 5 * MINUTE) is False  # another sender read the same row
    assert await store.due_mails(T0 + MINUTE) == []
    await store.retry_mail("m1", attempts=1, next_attempt_at=T0 + 30 * SECOND, error="refused")
    [again] = await store.due_mails(T0 + 30 * SECOND)
    assert (again.attempts, again.last_error, again.next_attempt_at) == (1, "refused", T0 + 30 * SECOND)
    assert await store.delete_mail("m1") is True
    assert await store.delete_mail("m1") is False
    assert await store.next_mail_at() is None


async def test_a_link_is_used_once_and_its_mail_is_queued_with_it(store: Store) -> None:
    await store.create_email_link(link(), mail("m1"))
    assert [m.id for m in await store.due_mails(T0)] == ["m1"]
    assert await store.use_email_link("other", T0) is None
    assert await store.use_email_link("h" * 64, T0 + MINUTE) == "Ann@Example.com"
    assert await store.use_email_link("h" * 64, T0 + MINUTE) is None
    with pytest.raises(ValueError):
        await store.create_email_link(link(), mail("m2"))
    assert [m.id for m in await store.due_mails(T0)] == ["m1"]  # nothing of the refused call stayed


async def test_a_link_expires(store: Store) -> None:
    await store.create_email_link(link(), mail("m1"))
    assert await store.use_email_link("h" * 64, T0 + 15 * MINUTE) is None
    # links long expired are swept when a new one is made
    await store.create_email_link(link("g" * 64, at=T0 + timedelta(days=2)), mail("m2"))
    assert await store.use_email_link("h" * 64, T0) is None


async def test_an_account_without_a_password_round_trips(store: Store) -> None:
    record = account(password_hash=None)
    assert await store.create_account(record) is True
    assert await store.get_account(A) == record
    assert (await store.export_account(A))["account"]["has_password"] is False


async def test_erasure_takes_the_accounts_mails_and_links(store: Store) -> None:
    mine = await stored_account(store)
    await stored_account(store, B)
    await store.create_email_link(link(email=mine.email.upper()), mail("m1"))
    await store.create_email_link(link("g" * 64, email=f"{B}@example.com"), mail("m2", account_id=B))
    await store.enqueue_mails([mail("m3", account_id=A)])
    assert await store.delete_account(A) is True
    assert [m.id for m in await store.due_mails(T0)] == ["m2"]  # a link to the address is no more sent
    assert await store.use_email_link("h" * 64, T0) is None
    assert await store.use_email_link("g" * 64, T0) == f"{B}@example.com"


async def test_a_claim_compares_the_time_it_read(store: Store) -> None:
    await store.enqueue_mails([mail("m1")])
    [seen] = await store.due_mails(T0)
    await store.retry_mail("m1", attempts=1, next_attempt_at=T0 + SECOND, error="x")
    assert await store.claim_mail(seen, T0 + MINUTE) is False
    assert await store.claim_mail(replace(seen, next_attempt_at=T0 + SECOND), T0 + MINUTE) is True
