"""The headers a webhook answer may carry (contract section 6).

A webhook answer is the tenant's content, never the app's: it cannot set a
cookie, weaken the sandbox the gateway puts it in, or frame the HTTP message
itself. ``problem`` says what is wrong with one header (None: nothing);
``answer_headers`` is the gateway's last filter before the answer goes out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
"""RFC 9110 ``token``: what a header name may be made of."""
BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
"""Control characters (CR and LF among them); a horizontal tab is allowed."""

SECURITY = frozenset({
    "set-cookie", "set-cookie2", "clear-site-data",
    "content-security-policy", "content-security-policy-report-only",
    "x-content-type-options", "strict-transport-security", "referrer-policy",
})
"""The gateway sets these (or forbids them) itself: a tenant's answer must not weaken them."""
FRAMING = frozenset({
    "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
    "proxy-connection",
})
"""The server frames the message; a hand-set value would desynchronise it."""


def problem(name: str, value: str) -> str | None:
    """Why ``name: value`` cannot be a header of a webhook answer; None when it can."""
    if not TOKEN.fullmatch(name):
        return "not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only, no spaces or colons)"
    lower = name.lower()
    if lower in SECURITY:
        return f"{name} is set by the webhook gateway and cannot be overridden"
    if lower in FRAMING:
        return f"{name} is set by the server and cannot be set by hand"
    if BAD_VALUE.search(value):
        return "a header value cannot hold CR, LF or other control characters"
    if any(ord(char) > 0xFF for char in value):
        return "a header value can only hold Latin-1 characters"
    return None


def answer_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` without any that ``problem`` refuses: what the gateway sends."""
    return {str(k): str(v) for k, v in headers.items() if problem(str(k), str(v)) is None}
