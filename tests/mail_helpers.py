"""What the tests of the platform's own e-mail share: the SMTP URL of a test server, and reading what it got."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from urllib.parse import quote

from tests.apps.email.conftest import PASSWORD, USER, Received, SmtpServer

LINK = re.compile(r"(https?://[^\s\"<>]+/api/v1/auth/email-link/([A-Za-z0-9_-]+))")
SCHEMES = {"none": "smtp", "ssl": "smtps", "starttls": "smtp+starttls"}


def smtp_url(server: SmtpServer | None = None, *, port: int | None = None, mode: str = "none",
             login: bool = True) -> str:
    """``SCENARIST_SMTP_URL`` for a test server (or for ``port``, where a server may come later)."""
    mode = server.mode if server else mode
    where = f"localhost:{server.port if server else port}"
    user = f"{quote(USER, safe='')}:{quote(PASSWORD, safe='')}@" if login else ""
    return f"{SCHEMES[mode]}://{user}{where}"


def parsed(received: Received) -> EmailMessage:
    message = email.message_from_bytes(received.content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def bodies(received: Received) -> tuple[str, str]:
    """The plain text and HTML bodies of a message."""
    message = parsed(received)
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None, message
    return str(text.get_content()), str(html.get_content())


def sign_in_link(received: Received) -> tuple[str, str]:
    """The link of a sign-in e-mail and its token (the same in the plain text and the HTML)."""
    text, html = bodies(received)
    found = LINK.search(text)
    assert found is not None, text
    assert found.group(1) in html
    return found.group(1), found.group(2)
