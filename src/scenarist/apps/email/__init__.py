"""The e-mail app: send through SMTP, watch a mailbox over IMAP.

Connection types (full keys): ``email.smtp`` (host, port, security
``starttls``/``ssl``/``none``, username, password, from_address, tls_verify,
ca_cert) and ``email.imap`` (host, port, security ``ssl``/``starttls``/``none``,
username, password, mailbox, tls_verify, ca_cert). Secret field: ``password``.
Both are secure by default; plain connections are a deliberate choice.
Every connection goes to the address that ``ctx.egress`` allows.

The protocol code (``_smtp`` on aiosmtplib, ``_imap`` on imaplib) is imported
by the first send, poll or connection test, not when the catalogue is read.
"""

from collections.abc import Mapping
from typing import Any

from scenarist.apps.email._compose import Attachment, SendParams, build_message
from scenarist.apps.email._fields import ImapFields, SmtpFields
from scenarist.apps.email._parse import to_bundle
from scenarist.apps.email._send import run as run_send
from scenarist.apps.email._watch import WatchParams
from scenarist.apps.email._watch import run as run_watch
from scenarist.sdk import App, ConnectionType, Egress, ModuleSpec


async def check_smtp(fields: Mapping[str, Any], *, egress: Egress | None = None) -> str:
    """Connect, secure and log in; return what worked. Raises the contract's errors."""
    from scenarist.apps.email import _smtp

    return await _smtp.check_smtp(fields, egress=egress)


async def check_imap(fields: Mapping[str, Any], *, egress: Egress | None = None) -> str:
    """Connect, secure, log in and open the mailbox; return what worked."""
    from scenarist.apps.email import _imap

    return await _imap.check_imap(fields, egress=egress)


SMTP = ConnectionType("email.smtp", "SMTP server", SmtpFields, ("password",), check_smtp)
IMAP = ConnectionType("email.imap", "IMAP mailbox", ImapFields, ("password",), check_imap)

SEND = ModuleSpec(
    key="send",
    label="Send an e-mail",
    description="Send a message (text, optional HTML, attachments) through an SMTP server; "
    "returns its Message-ID and the recipients the server accepted.",
    params=SendParams,
    run=run_send,
    kind="action",
    connection_types=(SMTP.key,),
    connection_required=True,
)

WATCH = ModuleSpec(
    key="watch",
    label="Watch e-mails",
    description="Poll an IMAP mailbox and output one bundle per message that arrived since the "
    "last poll (sender, recipients, subject, date, text, HTML, attachments, headers).",
    params=WatchParams,
    run=run_watch,
    kind="search",
    connection_types=(IMAP.key,),
    connection_required=True,
    polling=True,
)

app = App(
    key="email",
    label="E-mail",
    description="Send e-mail through SMTP and react to new e-mail in an IMAP mailbox.",
    modules=(SEND, WATCH),
    connection_types=(SMTP, IMAP),
)

__all__ = [
    "IMAP",
    "SEND",
    "SMTP",
    "WATCH",
    "Attachment",
    "ImapFields",
    "SendParams",
    "SmtpFields",
    "WatchParams",
    "app",
    "build_message",
    "check_imap",
    "check_smtp",
    "to_bundle",
]
