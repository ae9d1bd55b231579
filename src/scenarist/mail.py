"""The platform's own e-mail: a queue in the store that survives restarts, and the sender that empties it.

- ``MailQueue.compose`` seals a message (recipient, subject, plain text and
  HTML bodies, extra headers) with the vault into a ``MailRecord``: the queue
  holds sign-in links, which must not lie in the database in clear. A caller
  whose store call can take the record stores it in the same transaction as
  what caused the mail (``Store.create_email_link``); ``enqueue`` stores it alone.
- The sender (``start``, by ``serve``) sends what is due through
  ``SCENARIST_SMTP_URL``, one e-mail at a time, each claimed first
  (``Store.claim_mail``) so that senders sharing a database never send one
  twice at once. A sent e-mail is deleted. A failed attempt is retried after
  ``mail_retry_seconds``, doubled with each failure up to
  ``mail_retry_max_seconds``: a server that is down delays e-mails and loses
  none. Only a recipient the server refuses for good (5xx), an e-mail past
  its ``discard_after`` (an expired sign-in link) or one sealed under a key
  no longer configured is dropped, and the log says so.
- Without ``SCENARIST_SMTP_URL`` no sender runs and e-mails wait in the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import structlog

from scenarist.store.ports import MailRecord, Store
from scenarist.types import Clock, new_id
from scenarist.vault import Vault, VaultError

if TYPE_CHECKING:
    from scenarist.settings import Settings

log = structlog.get_logger("scenarist.mail")

SCHEMES = {"smtp": ("none", 25), "smtps": ("ssl", 465), "smtp+starttls": ("starttls", 587)}
CLAIM = timedelta(minutes=5)
"""How long a sender holds an e-mail it is sending before another may take it (after a crash)."""
IDLE_SECONDS = 60.0
"""The longest the sender sleeps: e-mails queued by another process are seen at least this often."""
BATCH = 50
SMTP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    """Extra headers, e.g. ``List-Unsubscribe``."""


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    security: str
    """``ssl`` (TLS from the start), ``starttls`` (required) or ``none``."""
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        """``smtp://``, ``smtps://`` or ``smtp+starttls://[user[:password]@]host[:port]``; ``ValueError`` else."""
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise ValueError(
                f"SCENARIST_SMTP_URL must start with smtp://, smtps:// or smtp+starttls://, not {scheme!r}")
        if not parts.hostname:
            raise ValueError("SCENARIST_SMTP_URL names no host")
        security, default_port = SCHEMES[scheme]
        return cls(host=parts.hostname, port=parts.port or default_port, security=security,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password is not None else None)


class MailQueue:
    """Compose, queue and send the platform's e-mails (see the module docstring)."""

    def __init__(self, store: Store, vault: Vault, settings: Settings, clock: Clock) -> None:
        self.store, self.vault, self.clock = store, vault, clock
        self.sender = settings.effective_mail_from()
        self.retry = timedelta(seconds=settings.mail_retry_seconds)
        self.retry_max = timedelta(seconds=settings.mail_retry_max_seconds)
        url = settings.smtp_url.get_secret_value() if settings.smtp_url else None
        self.target = SmtpTarget.parse(url) if url else None
        self._ca_file = settings.smtp_ca_file
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.failures = 0
        """Failed attempts since the start (each retried later)."""

    # -- composing and queueing

    def compose(self, message: Message, *, account_id: str | None = None,
                discard_after: datetime | None = None) -> MailRecord:
        """The queue record of ``message``, sealed, due now."""
        mail_id = new_id()
        plain = json.dumps({"to": message.to, "subject": message.subject, "text": message.text,
                            "html": message.html, "headers": message.headers}).encode()
        now = self.clock.now()
        return MailRecord(id=mail_id, sealed=self.vault.seal(plain, _aad(mail_id)), created_at=now,
                          next_attempt_at=now, account_id=account_id, discard_after=discard_after)

    async def enqueue(self, message: Message, *, account_id: str | None = None) -> None:
        """Queue ``message`` on its own (a caller that can should store ``compose``'s record with its cause)."""
        await self.store.enqueue_mails([self.compose(message, account_id=account_id)])
        self.wake()

    def wake(self) -> None:
        """Something was queued: the sender looks now rather than at its next wake-up."""
        self._wake.set()

    # -- sending

    def start(self) -> None:
        """Start the sender loop (nothing without an SMTP server configured)."""
        if self.target is None:
            log.info("SCENARIST_SMTP_URL is not set: e-mails wait in the queue")
            return
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop the loop between two e-mails."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                await self.send_due()
                wait = await self._idle_seconds()
            except Exception as exc:  # the loop must survive the store's failures
                log.error("the e-mail queue failed", error=repr(exc))
                wait = self.retry.total_seconds()
            woken = asyncio.ensure_future(self._wake.wait())
            stopping = asyncio.ensure_future(self._stopping.wait())
            await asyncio.wait({woken, stopping}, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
            for waiter in (woken, stopping):
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter

    async def _idle_seconds(self) -> float:
        due = await self.store.next_mail_at()
        if due is None:
            return IDLE_SECONDS
        return min(IDLE_SECONDS, max(0.05, (due - self.clock.now()).total_seconds()))

    async def send_due(self) -> int:
        """Send every e-mail due now (one sender at a time in this process); how many were sent."""
        if self.target is None:
            return 0
        sent = 0
        async with self._lock:
            while not self._stopping.is_set():
                due = await self.store.due_mails(self.clock.now(), BATCH)
                for mail in due:
                    if self._stopping.is_set():
                        break
                    sent += await self._attempt(mail)
                if len(due) < BATCH:
                    break
        return sent

    async def _attempt(self, mail: MailRecord) -> int:
        now = self.clock.now()
        if mail.discard_after is not None and mail.discard_after <= now:
            await self.store.delete_mail(mail.id)
            log.warning("e-mail dropped: it was worth nothing any more", mail=mail.id, attempts=mail.attempts)
            return 0
        if not await self.store.claim_mail(mail, now + CLAIM):
            return 0  # another sender has it
        try:
            message = self._open(mail)
        except (VaultError, ValueError, KeyError) as exc:
            await self.store.delete_mail(mail.id)
            log.error("e-mail dropped: it cannot be opened", mail=mail.id, error=str(exc))
            return 0
        try:
            await self._deliver(message)
        except Exception as exc:
            return await self._failed(mail, exc)
        await self.store.delete_mail(mail.id)
        log.info("e-mail sent", mail=mail.id, attempts=mail.attempts + 1)
        return 1

    async def _failed(self, mail: MailRecord, exc: Exception) -> int:
        import aiosmtplib

        error = f"{type(exc).__name__}: {exc}"[:500]
        refused = isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and all(
            r.code >= 500 for r in exc.recipients)
        refused |= isinstance(exc, aiosmtplib.SMTPRecipientRefused) and exc.code >= 500
        if refused:
            await self.store.delete_mail(mail.id)
            log.error("e-mail dropped: the server refused its recipient", mail=mail.id, error=error)
            return 0
        attempts = mail.attempts + 1
        self.failures += 1
        wait = min(self.retry * 2 ** min(attempts - 1, 30), self.retry_max)
        await self.store.retry_mail(mail.id, attempts=attempts, next_attempt_at=self.clock.now() + wait, error=error)
        log.warning("e-mail not sent; will retry", mail=mail.id, attempts=attempts, retry_in_s=wait.total_seconds(),
                    error=error)
        return 0

    def _open(self, mail: MailRecord) -> EmailMessage:
        data: dict[str, Any] = json.loads(self.vault.open(mail.sealed, _aad(mail.id)))
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = data["to"]
        message["Subject"] = data["subject"]
        message["Date"] = format_datetime(mail.created_at)
        domain = parseaddr(self.sender)[1].rpartition("@")[2] or None
        message["Message-ID"] = make_msgid(idstring=mail.id, domain=domain)
        for name, value in data.get("headers", {}).items():
            message[name] = value
        message.set_content(data["text"])
        message.add_alternative(data["html"], subtype="html")
        return message

    async def _deliver(self, message: EmailMessage) -> None:
        import aiosmtplib

        target = self.target
        assert target is not None
        context = None
        if target.security != "none":
            context = await asyncio.to_thread(ssl.create_default_context,
                                              cafile=str(self._ca_file) if self._ca_file else None)
        await aiosmtplib.send(
            message, hostname=target.host, port=target.port, username=target.username, password=target.password,
            use_tls=target.security == "ssl", start_tls=target.security == "starttls",
            tls_context=context, timeout=SMTP_TIMEOUT_SECONDS,
        )


def _aad(mail_id: str) -> bytes:
    return f"mail:{mail_id}".encode()
