"""From a raw RFC 5322 message to the bundle ``email.watch`` outputs.

Bundle: ``{uid, message_id, from, to, cc, reply_to, subject, date, text, html,
attachments, headers}``; ``from`` is ``{"name", "address"}`` (or None), ``to``,
``cc`` and ``reply_to`` are lists of them; ``date`` is ISO 8601 (from the Date
header, else the server's arrival time); ``attachments`` lists
``{filename, content_type, size}`` (bytes, decoded); ``headers`` maps each
lower-cased name to its decoded value, or to a list of values when the header
repeats (``received``).
"""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from scenarist.sdk import Bundle


def _addresses(message: Message, name: str) -> list[dict[str, str]]:
    values = [str(v) for v in message.get_all(name, [])]
    return [{"name": display, "address": addr} for display, addr in getaddresses(values) if addr]


def _header(message: Message, name: str) -> str | None:
    value = message.get(name)
    return None if value is None else str(value).strip()


def _date(message: Message, arrived: datetime | None) -> str | None:
    text = _header(message, "Date")
    try:
        parsed = parsedate_to_datetime(text) if text else arrived
    except (TypeError, ValueError, IndexError):
        parsed = arrived
    if parsed is None:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()


def _decoded_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


def _body(message: EmailMessage, subtype: str) -> tuple[str | None, Message | None]:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None, None
    return _decoded_text(part), part


def _attachments(message: EmailMessage, bodies: list[Message | None]) -> list[dict[str, Any]]:
    found = []
    for part in message.walk():
        if part.is_multipart() or any(part is body for body in bodies):
            continue
        filename = part.get_filename()
        if filename is None and part.get_content_disposition() != "attachment":
            continue
        payload = part.get_payload(decode=True)
        found.append(
            {
                "filename": filename,
                "content_type": part.get_content_type(),
                "size": len(payload) if isinstance(payload, bytes) else 0,
            }
        )
    return found


def _headers(message: Message) -> dict[str, str | list[str]]:
    headers: dict[str, str | list[str]] = {}
    for name, value in message.items():
        key, text = name.lower(), str(value)
        existing = headers.get(key)
        if existing is None:
            headers[key] = text
        else:
            headers[key] = [*([existing] if isinstance(existing, str) else existing), text]
    return headers


def to_bundle(uid: int, raw: bytes, arrived: datetime | None = None) -> Bundle:
    """The bundle for one fetched message."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text, text_part = _body(message, "plain")
    html, html_part = _body(message, "html")
    senders = _addresses(message, "From")
    return {
        "uid": uid,
        "message_id": _header(message, "Message-ID"),
        "from": senders[0] if senders else None,
        "to": _addresses(message, "To"),
        "cc": _addresses(message, "Cc"),
        "reply_to": _addresses(message, "Reply-To"),
        "subject": _header(message, "Subject") or "",
        "date": _date(message, arrived),
        "text": text,
        "html": html,
        "attachments": _attachments(message, [text_part, html_part]),
        "headers": _headers(message),
        "size": len(raw),
    }


def empty_bundle(uid: int, size: int) -> Bundle:
    """A bundle with every key and no content (for a message that cannot be parsed)."""
    return {
        "uid": uid, "message_id": None, "from": None, "to": [], "cc": [], "reply_to": [],
        "subject": "", "date": None, "text": None, "html": None, "attachments": [], "headers": {},
        "size": size,
    }  # fmt: skip
