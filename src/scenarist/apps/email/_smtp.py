"""SMTP sessions: connect through the egress guard, secure, log in; failures as contract errors.

The socket is connected to the address that ``Egress.resolve`` returned and
handed to aiosmtplib, which runs TLS on it with the connection's host name
(for SNI and certificate checks). Failure mapping:

- refused credentials: ``AuthenticationError`` (the user name is named, never the password);
- an unverifiable certificate, no STARTTLS offered, no AUTH offered: ``InvalidConfigurationError``;
- timeouts: ``ModuleTimeoutError``; unreachable or dropped connections, and 4xx answers: ``ConnectionError``;
- refused sender or recipients, and other 5xx answers: ``DataError``.
"""

from __future__ import annotations

import contextlib
import functools
import socket
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiosmtplib

from scenarist.apps.email._fields import SmtpFields, tls_context
from scenarist.apps.email._net import connect_socket, released
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
    run_blocking,
    sockets,
)
from scenarist.sdk.sockets import ErrorMap, Rule

DEFAULT_TIMEOUT_SECONDS = 30.0


@functools.cache
def _local_hostname() -> str:
    """Our name in EHLO (looked up once, in a thread: it may ask DNS)."""
    return socket.getfqdn() or "localhost"


def _by_code(exc: BaseException) -> type[ModuleError]:
    """A 4xx answer is temporary (retried), a 5xx one is about the message."""
    code = getattr(exc, "code", 0)
    return ConnectionError if 400 <= code < 500 else DataError


def _refused_recipients(exc: BaseException) -> str:
    recipients = exc.recipients if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) else []
    return ", ".join(f"{r.recipient} ({r.code} {r.message})" for r in recipients)


def _errors(fields: SmtpFields) -> ErrorMap:
    """aiosmtplib's and the socket's failures as contract errors."""
    where = f"SMTP server {fields.host}:{fields.effective_port}"
    refused_login = f"{where} refused the user name or password of {fields.username!r}"
    return ErrorMap(
        where,
        Rule(aiosmtplib.SMTPAuthenticationError, AuthenticationError,
             lambda exc: f"{refused_login} ({getattr(exc, 'code', '')})"),
        Rule(aiosmtplib.SMTPRecipientsRefused, DataError,
             lambda exc: f"{where} refused every recipient: {_refused_recipients(exc)}"),
        Rule((aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPRecipientRefused), _by_code,
             "{where} refused the message: {exc.code} {exc.message}"),
        Rule(aiosmtplib.SMTPTimeoutError, ModuleTimeoutError, "{where} did not answer in time"),
        Rule(aiosmtplib.SMTPNotSupported, InvalidConfigurationError, "{where}: {exc.message}"),
        Rule(aiosmtplib.SMTPResponseException, _by_code, "{where} answered {exc.code} {exc.message}"),
        Rule(lambda exc: "AUTH extension is not supported" in str(exc), InvalidConfigurationError,
             "{where} does not offer login (AUTH) here; leave username empty or use TLS"),
        Rule(lambda exc: "STARTTLS extension not supported" in str(exc), InvalidConfigurationError,
             "{where} does not offer STARTTLS; choose security ssl or none"),
        after=(Rule(aiosmtplib.SMTPException, ConnectionError, "{where} failed: {kind}: {exc}"),),
    )


def smtp_errors(fields: SmtpFields) -> contextlib.AbstractContextManager[None]:
    """Translate aiosmtplib's and the socket's failures into contract errors."""
    return _errors(fields).translating(aiosmtplib.SMTPException, OSError)


@contextlib.asynccontextmanager
async def smtp_session(
    fields: SmtpFields, egress: Egress, seconds: float = DEFAULT_TIMEOUT_SECONDS
) -> AsyncIterator[aiosmtplib.SMTP]:
    """A connected, secured and (with a user name) logged-in SMTP client; quits at the end."""
    context = await tls_context(fields)
    local_hostname = await run_blocking(_local_hostname)
    sock = await connect_socket(egress, fields.host, fields.effective_port, seconds)
    client = aiosmtplib.SMTP(
        hostname=fields.host,
        sock=sock,
        use_tls=fields.security == "ssl",
        start_tls=fields.security == "starttls",
        tls_context=context,
        timeout=seconds,
        local_hostname=local_hostname,
    )
    try:
        with smtp_errors(fields):
            await client.connect()
            if fields.username:
                await client.login(fields.username, fields.password)
        yield client
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await client.quit()
    finally:
        client.close()
        await released(sock)


async def check_smtp(fields: Mapping[str, Any], *, egress: Egress | None = None) -> str:
    """Connect, secure and log in; return what worked. Raises the contract's errors."""

    async def probe(smtp: SmtpFields, guard: Egress) -> str:
        async with smtp_session(smtp, guard) as client:
            tls = "TLS" if client.get_transport_info("sslcontext") is not None else "no TLS"
        login = f"logged in as {smtp.username}" if smtp.username else "no login"
        return f"Connected to {smtp.host}:{smtp.effective_port} ({tls}, {login})"

    return await sockets.connection_test(SmtpFields, fields, "email.smtp", egress, probe)
