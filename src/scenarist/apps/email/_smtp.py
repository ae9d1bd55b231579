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
import ssl
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import aiosmtplib

from scenarist.apps.email._fields import SmtpFields, tls_context, validate_fields
from scenarist.apps.email._net import connect_socket, released
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
    OpenEgress,
    run_blocking,
)

DEFAULT_TIMEOUT_SECONDS = 30.0


@functools.cache
def _local_hostname() -> str:
    """Our name in EHLO (looked up once, in a thread: it may ask DNS)."""
    return socket.getfqdn() or "localhost"


def _tls_problem(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error behind ``exc``, if any (aiosmtplib wraps it)."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None or isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _by_code(code: int, text: str) -> ModuleError:
    return ConnectionError(text) if 400 <= code < 500 else DataError(text)


@contextlib.contextmanager
def smtp_errors(fields: SmtpFields) -> Iterator[None]:
    """Translate aiosmtplib's and the socket's failures into contract errors."""
    where = f"SMTP server {fields.host}:{fields.effective_port}"
    try:
        yield
    except ModuleError:
        raise
    except aiosmtplib.SMTPAuthenticationError as exc:
        raise AuthenticationError(
            f"{where} refused the user name or password of {fields.username!r} ({exc.code})"
        ) from exc
    except aiosmtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(f"{r.recipient} ({r.code} {r.message})" for r in exc.recipients)
        raise DataError(f"{where} refused every recipient: {refused}") from exc
    except (aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPRecipientRefused) as exc:
        raise _by_code(exc.code, f"{where} refused the message: {exc.code} {exc.message}") from exc
    except aiosmtplib.SMTPTimeoutError as exc:
        raise ModuleTimeoutError(f"{where} did not answer in time") from exc
    except aiosmtplib.SMTPNotSupported as exc:
        raise InvalidConfigurationError(f"{where}: {exc.message}") from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise _by_code(exc.code, f"{where} answered {exc.code} {exc.message}") from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        tls = _tls_problem(exc)
        if isinstance(tls, ssl.SSLCertVerificationError):
            raise InvalidConfigurationError(
                f"the certificate of {where} could not be verified ({tls.verify_message}); trust its CA with ca_cert"
            ) from exc
        if "AUTH extension is not supported" in str(exc):
            raise InvalidConfigurationError(
                f"{where} does not offer login (AUTH) here; leave username empty or use TLS"
            ) from exc
        if "STARTTLS extension not supported" in str(exc):
            raise InvalidConfigurationError(f"{where} does not offer STARTTLS; choose security ssl or none") from exc
        raise ConnectionError(f"{where} failed: {type(exc).__name__}: {exc}") from exc


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
    smtp = validate_fields(SmtpFields, fields, "email.smtp")
    async with smtp_session(smtp, egress or OpenEgress()) as client:
        tls = "TLS" if client.get_transport_info("sslcontext") is not None else "no TLS"
    login = f"logged in as {smtp.username}" if smtp.username else "no login"
    return f"Connected to {smtp.host}:{smtp.effective_port} ({tls}, {login})"
