"""The params of ``email.send`` and the MIME message they make.

The message is ``text/plain``; with ``html`` it becomes ``multipart/alternative``
(text first, HTML preferred); with attachments the whole is wrapped in
``multipart/mixed``. Bcc recipients are in the envelope only, never in a header.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_TIMEOUT_SECONDS = 300.0
RESERVED_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "subject", "reply-to", "content-type", "content-transfer-encoding", "mime-version"}
)
Recipients = list[str] | str


def _no_line_breaks(value: str, what: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"{what} must not contain line breaks")
    return value


def address_list(value: Recipients | None) -> list[str]:
    """The bare addresses in a list or a comma-separated string (``Name <a@b>`` allowed)."""
    items = [value] if isinstance(value, str) else list(value or [])
    addresses = [addr for _, addr in getaddresses([_no_line_breaks(i, "an address") for i in items])]
    for address in addresses:
        if "@" not in address.strip("@"):
            raise ValueError(f"{address!r} is not an e-mail address")
    return addresses


def _header_value(value: Recipients | None) -> str:
    """The header text of a recipients field, names kept."""
    items = [value] if isinstance(value, str) else list(value or [])
    return ", ".join(item.strip() for item in items if item.strip())


class Attachment(BaseModel):
    """One file attached to the message."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(description="File name shown to the recipient.", examples=["report.csv"])
    content: str = Field(
        description="The file's content: text, or base64 with encoding base64.",
        examples=["id,total\n1,42\n"],
    )
    encoding: Literal["text", "base64"] = Field(
        default="text",
        description="How content is given: text (sent as UTF-8) or base64 (binary files).",
        examples=["base64"],
    )
    content_type: str | None = Field(
        default=None,
        description="MIME type; empty to guess it from the file name.",
        examples=["text/csv"],
    )

    @field_validator("filename")
    @classmethod
    def _filename(cls, value: str) -> str:
        value = _no_line_breaks(value, "filename").strip()
        if not value:
            raise ValueError("filename must not be empty")
        return value

    @field_validator("content_type")
    @classmethod
    def _type(cls, value: str | None) -> str | None:
        if value is not None and (value.count("/") != 1 or not all(value.split("/"))):
            raise ValueError("content_type must look like type/subtype")
        if value is not None and value.split("/")[0].lower() in ("multipart", "message"):
            raise ValueError("content_type cannot be multipart/* or message/*")
        return value

    @model_validator(mode="after")
    def _decodable(self) -> Attachment:
        self.data()
        return self

    def data(self) -> bytes:
        """The file's bytes."""
        if self.encoding == "text":
            return self.content.encode("utf-8")
        try:
            return base64.b64decode("".join(self.content.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"the content of {self.filename!r} is not valid base64") from exc

    def mime_type(self) -> tuple[str, str]:
        guessed = self.content_type or mimetypes.guess_type(self.filename)[0] or "application/octet-stream"
        maintype, _, subtype = guessed.partition("/")
        return maintype, subtype


class SendParams(BaseModel):
    """Who gets the message, what it says, and what is attached."""

    model_config = ConfigDict(extra="forbid")

    to: Recipients = Field(
        description="Recipients: a list, or a comma-separated string; names allowed.",
        examples=[["bob@example.com", "Carol <carol@example.com>"]],
    )
    cc: Recipients = Field(default_factory=list, description="Copy recipients.", examples=["dan@example.com"])
    bcc: Recipients = Field(
        default_factory=list,
        description="Blind copy recipients (not shown to the others).",
        examples=["audit@example.com"],
    )
    subject: str = Field(default="", description="Subject line.", examples=["Your order #42"])
    text: str = Field(default="", description="Plain-text body.", examples=["Hello Bob,\nyour order shipped."])
    html: str | None = Field(
        default=None,
        description="HTML body; with it the message carries both versions (multipart/alternative).",
        examples=["<p>Hello Bob,<br>your order <b>shipped</b>.</p>"],
    )
    reply_to: Recipients | None = Field(
        default=None, description="Where replies should go.", examples=["support@example.com"]
    )
    from_address: str | None = Field(
        default=None,
        description="Sender for this message; empty for the connection's from_address.",
        examples=["Shop <shop@example.com>"],
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="Extra headers, name to value (not From, To, Cc, Bcc, Subject, Reply-To or MIME ones).",
        examples=[{"X-Campaign": "spring"}],
    )
    attachments: list[Attachment] = Field(
        default_factory=list,
        description="Files to attach: {filename, content, encoding (text or base64), content_type}.",
        examples=[[{"filename": "hello.txt", "content": "hi"}]],
    )
    timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        le=MAX_TIMEOUT_SECONDS,
        description="Give up after this many seconds (at most 300).",
        examples=[30],
    )

    @field_validator("to", "cc", "bcc", "reply_to")
    @classmethod
    def _addresses(cls, value: Recipients | None) -> Recipients | None:
        address_list(value)
        return value

    @field_validator("subject", "from_address")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        return None if value is None else _no_line_breaks(value, "the value")

    @field_validator("headers")
    @classmethod
    def _extra_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            if not name or any(c in name for c in ":\r\n ") or not name.isascii():
                raise ValueError(f"{name!r} is not a header name")
            if name.lower() in RESERVED_HEADERS:
                raise ValueError(f"set {name} with its own field, not in headers")
            _no_line_breaks(text, f"header {name}")
        return value

    @model_validator(mode="after")
    def _someone(self) -> SendParams:
        if not self.recipients():
            raise ValueError("give at least one recipient in to, cc or bcc")
        return self

    def recipients(self) -> list[str]:
        """Every envelope recipient, in order, without duplicates."""
        seen: dict[str, None] = {}
        for field in (self.to, self.cc, self.bcc):
            seen.update(dict.fromkeys(address_list(field)))
        return list(seen)


def sender_address(sender: str) -> str:
    """The bare address of ``sender`` (``Name <a@b>`` gives ``a@b``)."""
    pairs = getaddresses([sender])
    return pairs[0][1] if pairs else sender


def build_message(params: SendParams, sender: str) -> EmailMessage:
    """The MIME message for ``params`` from ``sender``."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = _header_value(params.to)
    if address_list(params.cc):
        message["Cc"] = _header_value(params.cc)
    if params.reply_to:
        message["Reply-To"] = _header_value(params.reply_to)
    message["Subject"] = params.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    custom = {name.lower() for name in params.headers}
    if "message-id" not in custom:
        domain = sender_address(sender).rpartition("@")[2] or "scenarist.invalid"
        message["Message-ID"] = make_msgid(domain=domain)
    for name, value in params.headers.items():
        message[name] = value
    message.set_content(params.text)
    if params.html is not None:
        message.add_alternative(params.html, subtype="html")
    for attachment in params.attachments:
        maintype, subtype = attachment.mime_type()
        message.add_attachment(attachment.data(), maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message
