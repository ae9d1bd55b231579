"""The e-mail app described as data: modules, connection types, params and parsing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from scenarist.apps.email import (
    IMAP,
    SEND,
    SMTP,
    WATCH,
    ImapFields,
    SendParams,
    SmtpFields,
    WatchParams,
    app,
    build_message,
    to_bundle,
)

# --- the app ---------------------------------------------------------------------------


def test_app_declares_send_and_watch_and_two_connection_types() -> None:
    assert app.key == "email"
    assert app.module("send") is SEND and app.module("watch") is WATCH
    assert (SEND.kind, SEND.polling, SEND.connection_types) == ("action", False, ("email.smtp",))
    assert (WATCH.kind, WATCH.polling, WATCH.connection_types) == ("search", True, ("email.imap",))
    assert SEND.connection_required and WATCH.connection_required
    assert {ct.key: ct.secret_fields for ct in app.connection_types} == {
        "email.smtp": ("password",),
        "email.imap": ("password",),
    }
    assert SMTP.test is not None and IMAP.test is not None


@pytest.mark.parametrize("model", [SendParams, WatchParams, SmtpFields, ImapFields])
def test_every_field_has_a_description_and_an_example(model: Any) -> None:
    for name, schema in model.model_json_schema()["properties"].items():
        assert schema.get("description"), name
        assert schema.get("examples"), name


def test_connections_are_secure_by_default() -> None:
    smtp = SmtpFields.model_validate({"host": "smtp.example.com", "from_address": "a@example.com"})
    imap = ImapFields.model_validate({"host": "imap.example.com", "username": "a", "password": "p"})

    assert (smtp.security, smtp.effective_port, smtp.tls_verify) == ("starttls", 587, True)
    assert (imap.security, imap.effective_port, imap.tls_verify, imap.mailbox) == ("ssl", 993, True, "INBOX")
    assert SmtpFields.model_validate({**smtp.model_dump(), "security": "ssl"}).effective_port == 465
    assert ImapFields.model_validate({**imap.model_dump(), "security": "none"}).effective_port == 143


@pytest.mark.parametrize("host", ["smtp://example.com", "user@example.com", "", "a b"])
def test_host_must_be_a_bare_name(host: str) -> None:
    with pytest.raises(ValidationError, match="bare host"):
        SmtpFields.model_validate({"host": host, "from_address": "a@example.com"})


def test_ca_cert_must_be_pem() -> None:
    with pytest.raises(ValidationError, match="PEM"):
        ImapFields.model_validate({"host": "h", "username": "u", "password": "p", "ca_cert": "not a cert"})


# --- send params ------------------------------------------------------------------------


def test_recipients_accept_lists_and_comma_strings_and_drop_duplicates() -> None:
    params = SendParams.model_validate(
        {"to": "Bob <bob@example.com>, carol@example.com", "cc": ["bob@example.com"], "bcc": "dan@example.com"}
    )

    assert params.recipients() == ["bob@example.com", "carol@example.com", "dan@example.com"]


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"to": []}, "at least one recipient"),
        ({"to": "not-an-address"}, "not an e-mail address"),
        ({"to": "a@example.com", "subject": "hi\r\nBcc: evil@example.com"}, "line breaks"),
        ({"to": "a@example.com\nBcc: evil@example.com"}, "line breaks"),
        ({"to": "a@example.com", "headers": {"X-A": "1\r\nBcc: evil@example.com"}}, "line breaks"),
        ({"to": "a@example.com", "headers": {"Bcc": "evil@example.com"}}, "own field"),
        ({"to": "a@example.com", "headers": {"Bad Name": "x"}}, "not a header name"),
        ({"to": "a@example.com", "attachments": [{"filename": "a", "content": "!!", "encoding": "base64"}]}, "base64"),
        ({"to": "a@example.com", "attachments": [{"filename": "", "content": "x"}]}, "filename"),
        ({"to": "a@example.com", "attachments": [{"filename": "a", "content": "x", "content_type": "bad"}]}, "subtype"),
        ({"to": "a@example.com", "timeout_seconds": 0}, "greater than 0"),
        ({"to": "a@example.com", "unknown": 1}, "Extra inputs"),
    ],
)
def test_send_params_refuse_bad_input(params: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        SendParams.model_validate(params)


def test_a_text_only_message_is_plain_text_with_date_and_message_id() -> None:
    params = SendParams.model_validate({"to": "bob@example.com", "subject": "Hi", "text": "Hello"})

    message = build_message(params, "Ada <ada@example.com>")

    assert message.get_content_type() == "text/plain"
    assert message["Message-ID"].endswith("@example.com>")
    assert message["Date"] and message["Cc"] is None and message["Bcc"] is None


def test_base64_attachments_tolerate_line_breaks() -> None:
    encoded = base64.encodebytes(bytes(range(256)) * 4).decode()
    params = SendParams.model_validate(
        {"to": "bob@example.com", "attachments": [{"filename": "x.bin", "content": encoded, "encoding": "base64"}]}
    )

    assert params.attachments[0].data() == bytes(range(256)) * 4


# --- watch params and parsing -------------------------------------------------------------


def test_watch_params_defaults_and_limits() -> None:
    params = WatchParams.model_validate({})

    assert (params.since, params.mark_seen, params.max_results, params.mailbox) == ("now", False, 25, None)
    with pytest.raises(ValidationError):
        WatchParams.model_validate({"max_results": 0})
    with pytest.raises(ValidationError):
        WatchParams.model_validate({"max_results": 501})
    with pytest.raises(ValidationError):
        WatchParams.model_validate({"since": "yesterday"})


def test_encoded_headers_are_decoded_and_repeated_headers_become_lists() -> None:
    raw = (
        b"Received: from a\r\nReceived: from b\r\n"
        b"From: =?utf-8?q?Ji=C5=99=C3=AD?= <jiri@example.cz>\r\n"
        b"Subject: =?utf-8?b?UMWZw61qZW10ZQ==?=\r\n"
        b"Content-Type: text/plain; charset=iso-8859-2\r\n\r\n"
        b"P\xf8\xedjemn\xfd den\r\n"
    )

    bundle = to_bundle(7, raw)

    assert bundle["from"] == {"name": "Jiří", "address": "jiri@example.cz"}
    assert bundle["subject"] == "Příjemte"
    assert bundle["text"].strip() == "Příjemný den"
    assert bundle["html"] is None
    assert bundle["headers"]["received"] == ["from a", "from b"]
    assert bundle["to"] == [] and bundle["attachments"] == []


def test_a_missing_date_falls_back_to_the_arrival_time() -> None:
    arrived = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)

    assert to_bundle(1, b"Subject: x\r\n\r\nbody", arrived)["date"] == "2024-05-01T08:00:00+00:00"
    assert to_bundle(1, b"Date: garbage\r\n\r\nbody", arrived)["date"] == "2024-05-01T08:00:00+00:00"
    assert to_bundle(1, b"Subject: x\r\n\r\nbody")["date"] is None


def test_an_unknown_charset_does_not_break_parsing() -> None:
    raw = b"Content-Type: text/plain; charset=x-nonsense\r\n\r\nhello\r\n"

    assert to_bundle(1, raw)["text"].strip() == "hello"
