"""IMAP sessions over the standard library's ``imaplib``, run in a worker thread.

The socket goes to the address ``Egress.resolve`` returned; TLS (implicit or
STARTTLS) still names and verifies the connection's host. Failure mapping:

- refused credentials: ``AuthenticationError`` (the user name is named, never the password);
- an unverifiable certificate, no STARTTLS offered: ``InvalidConfigurationError``;
- timeouts: ``ModuleTimeoutError``; unreachable or dropped connections: ``ConnectionError``;
- a command the server refuses (an unknown mailbox, say): ``DataError``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import imaplib
import re
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from scenarist.apps.email._fields import ImapFields, tls_context
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleTimeoutError,
    run_blocking,
    sockets,
)
from scenarist.sdk.sockets import ErrorMap, Rule

DEFAULT_TIMEOUT_SECONDS = 30.0
T = TypeVar("T")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


class _PinnedImap(imaplib.IMAP4):
    """``IMAP4`` connected to a checked address; STARTTLS verifies ``host``."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        self._address = address
        super().__init__(host, port, timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        return socket.create_connection((self._address, self.port), timeout)


class _PinnedImapSsl(imaplib.IMAP4_SSL):
    """``IMAP4_SSL`` connected to a checked address; the certificate must name ``host``."""

    def __init__(self, host: str, address: str, port: int, context: ssl.SSLContext, timeout: float) -> None:
        self._address = address
        super().__init__(host, port, ssl_context=context, timeout=timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        sock = socket.create_connection((self._address, self.port), timeout)
        try:
            context: ssl.SSLContext = self.ssl_context
            return context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def quote(text: str) -> str:
    """An IMAP quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mailbox_name(name: str) -> str:
    """``name`` in IMAP's modified UTF-7 (RFC 3501 5.1.3), quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            packed = base64.b64encode("".join(pending).encode("utf-16-be")).rstrip(b"=").decode()
            out.append("&" + packed.replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return quote("".join(out))


def _text(data: Any) -> str:
    parts = data if isinstance(data, list) else [data]
    return " ".join(p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p) for p in parts if p)


def imap_errors(fields: ImapFields) -> contextlib.AbstractContextManager[None]:
    """Translate ``imaplib``'s and the socket's failures into contract errors."""
    return ErrorMap(
        f"IMAP server {fields.host}:{fields.effective_port}",
        Rule(imaplib.IMAP4.abort, ConnectionError, "{where} dropped the connection: {exc}"),
        Rule(imaplib.IMAP4.error, DataError, "{where} refused a command: {exc}"),
    ).translating(imaplib.IMAP4.error, OSError)


def _login(client: imaplib.IMAP4, fields: ImapFields) -> None:
    try:
        if fields.username.isascii() and fields.password.isascii():
            client.login(quote(fields.username), fields.password)
        else:
            token = b"\0" + fields.username.encode() + b"\0" + fields.password.encode()
            client.authenticate("PLAIN", lambda _: token)
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as exc:
        raise AuthenticationError(
            f"IMAP server {fields.host} refused the user name or password of {fields.username!r}: {exc}"
        ) from exc


def _open(fields: ImapFields, address: str, context: ssl.SSLContext | None, timeout: float) -> imaplib.IMAP4:
    port = fields.effective_port
    if fields.security == "ssl":
        assert context is not None
        return _PinnedImapSsl(fields.host, address, port, context, timeout)
    client = _PinnedImap(fields.host, address, port, timeout)
    if fields.security == "starttls":
        assert context is not None
        try:
            client.starttls(context)
        except imaplib.IMAP4.abort:
            client.shutdown()
            raise
        except imaplib.IMAP4.error as exc:
            client.shutdown()
            raise InvalidConfigurationError(
                f"IMAP server {fields.host} does not offer STARTTLS ({exc}); choose security ssl or none"
            ) from exc
    return client


def _session(
    fields: ImapFields, address: str, context: ssl.SSLContext | None, timeout: float, work: Callable[[imaplib.IMAP4], T]
) -> T:
    with imap_errors(fields):
        client = _open(fields, address, context, timeout)
        try:
            _login(client, fields)
            result = work(client)
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()
            return result
        finally:
            if client.sock.fileno() != -1:
                with contextlib.suppress(OSError):
                    client.shutdown()


async def with_imap(
    fields: ImapFields, egress: Egress, work: Callable[[imaplib.IMAP4], T], seconds: float = DEFAULT_TIMEOUT_SECONDS
) -> T:
    """Open a logged-in session, run ``work(client)`` in a worker thread, log out."""
    context = await tls_context(fields)
    address = await sockets.resolve(egress, fields.host, fields.effective_port)
    try:
        async with asyncio.timeout(seconds * 4):
            return await run_blocking(_session, fields, address, context, seconds, work)
    except TimeoutError as exc:
        raise ModuleTimeoutError(f"IMAP server {fields.host} took too long") from exc


@dataclass(frozen=True)
class MailboxStatus:
    uidvalidity: int
    uidnext: int | None


def select(client: imaplib.IMAP4, mailbox: str, readonly: bool) -> MailboxStatus:
    """Open ``mailbox``; its UIDVALIDITY and UIDNEXT (None when the server does not say)."""
    typ, data = client.select(mailbox_name(mailbox), readonly=readonly)
    if typ != "OK":
        raise DataError(f"the mailbox {mailbox!r} cannot be opened: {_text(data)}")
    _, validity = client.response("UIDVALIDITY")
    _, uidnext = client.response("UIDNEXT")
    return MailboxStatus(
        uidvalidity=int(validity[0]) if validity and validity[0] else 0,
        uidnext=int(uidnext[0]) if uidnext and uidnext[0] else None,
    )


def uids_after(client: imaplib.IMAP4, last_uid: int) -> list[int]:
    """UIDs above ``last_uid``, ascending (``n:*`` also matches the highest UID: filtered)."""
    typ, data = client.uid("SEARCH", f"UID {last_uid + 1}:*")
    if typ != "OK":
        raise DataError(f"the mailbox cannot be searched: {_text(data)}")
    found = {int(u) for chunk in data if chunk for u in chunk.split()}
    return sorted(u for u in found if u > last_uid)


def highest_uid(client: imaplib.IMAP4, status: MailboxStatus) -> int:
    """The UID of the newest message (0 in an empty mailbox)."""
    if status.uidnext is not None:
        return status.uidnext - 1
    typ, data = client.uid("SEARCH", "ALL")
    found = [int(u) for chunk in data if chunk for u in chunk.split()] if typ == "OK" else []
    return max(found, default=0)


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes
    internal_date: datetime | None


def fetch(client: imaplib.IMAP4, uid: int) -> Fetched | None:
    """The whole message ``uid`` without setting \\Seen; None if it is gone."""
    typ, data = client.uid("FETCH", str(uid), "(UID INTERNALDATE BODY.PEEK[])")
    if typ != "OK":
        raise DataError(f"message {uid} cannot be fetched: {_text(data)}")
    raw, meta = None, b""
    for item in data:
        if isinstance(item, tuple):
            meta, raw = meta + item[0], item[1]
        elif isinstance(item, bytes):
            meta += item
    if raw is None:
        return None
    date = _INTERNALDATE.search(meta)
    return Fetched(uid, raw, _internal_date(date.group(1).decode()) if date else None)


def _internal_date(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None


def mark_seen(client: imaplib.IMAP4, uids: list[int]) -> None:
    if uids:
        client.uid("STORE", ",".join(map(str, uids)), "+FLAGS.SILENT", r"(\Seen)")


async def check_imap(fields: Mapping[str, Any], *, egress: Egress | None = None) -> str:
    """Connect, secure, log in and open the mailbox; return what worked."""

    async def probe(imap: ImapFields, guard: Egress) -> str:
        def count(client: imaplib.IMAP4) -> int:
            typ, data = client.select(mailbox_name(imap.mailbox), readonly=True)
            if typ != "OK":
                raise DataError(f"the mailbox {imap.mailbox!r} cannot be opened: {_text(data)}")
            return int(data[0] or 0)

        messages = await with_imap(imap, guard, count)
        return f"Logged in to {imap.host} as {imap.username}; {imap.mailbox} holds {messages} messages"

    return await sockets.connection_test(ImapFields, fields, "email.imap", egress, probe)
