"""``email.send`` and the ``email.smtp`` connection against real aiosmtpd servers."""

from __future__ import annotations

import base64
import email
import email.policy
import re
import socket
from email.message import EmailMessage
from typing import Any

import pytest

from scenarist.apps.email import SEND, check_smtp
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    InvalidConfigurationError,
    ModuleTimeoutError,
    RunContext,
)
from tests.apps.email.conftest import PASSWORD, USER, SmtpServer, running_smtp

PNG = bytes(range(256)) * 3


def parsed(content: bytes) -> EmailMessage:
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


async def send(run_module: Any, server: SmtpServer, connection: Any = None, **params: Any) -> dict[str, Any]:
    params = {"to": "bob@example.com", "subject": "Hi", "text": "Hello", "timeout_seconds": 10, **params}
    result = await run_module(SEND, params, connection=connection or server.connection())
    assert isinstance(result, dict)
    return result


class RecordingEgress:
    """An egress guard that sends every host to 127.0.0.1 and remembers what was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> str:
        self.asked.append((host, port))
        return "127.0.0.1"


class RefusingEgress:
    async def resolve(self, host: str, port: int) -> str:
        raise ConnectionError(f"{host} is not an allowed destination")


@pytest.fixture
def send_via(module_context: Any) -> Any:
    """``await send_via(egress, connection, **params)``: run email.send with that egress guard."""

    async def call(egress: Any, connection: Any, **params: Any) -> dict[str, Any]:
        ctx: RunContext = module_context("email.send", connection=connection)
        ctx.egress = egress
        result = await SEND.run(ctx, SEND.params.model_validate({"to": "bob@example.com", **params}))
        assert isinstance(result, dict)
        return result

    return call


# --- delivery in every security mode ------------------------------------------------


async def test_sends_in_every_security_mode_after_logging_in(run_module: Any, smtp_server: SmtpServer) -> None:
    result = await send(run_module, smtp_server, subject=f"via {smtp_server.mode}")

    assert result["accepted"] == ["bob@example.com"]
    assert result["rejected"] == []
    [received] = smtp_server.recorder.messages
    assert smtp_server.recorder.logins == [USER]
    assert received.mail_from == "ada@example.com"
    message = parsed(received.content)
    assert message["Subject"] == f"via {smtp_server.mode}"
    assert message["Message-ID"] == result["message_id"]
    assert message.get_content().strip() == "Hello"


async def test_envelope_has_to_cc_and_bcc_but_headers_hide_bcc(run_module: Any, starttls_server: SmtpServer) -> None:
    result = await send(
        run_module,
        starttls_server,
        to=["Bob <bob@example.com>", "carol@example.com"],
        cc="dan@example.com, Erin <erin@example.com>",
        bcc=["secret@example.com"],
    )

    everyone = ["bob@example.com", "carol@example.com", "dan@example.com", "erin@example.com", "secret@example.com"]
    assert result["accepted"] == everyone
    [received] = starttls_server.recorder.messages
    assert received.rcpt_tos == everyone
    message = parsed(received.content)
    assert message["To"] == "Bob <bob@example.com>, carol@example.com"
    assert message["Cc"] == "dan@example.com, Erin <erin@example.com>"
    assert message["Bcc"] is None
    assert b"secret@example.com" not in received.content


async def test_html_makes_a_multipart_alternative_with_both_bodies(
    run_module: Any, starttls_server: SmtpServer
) -> None:
    await send(run_module, starttls_server, text="plain words", html="<p>rich <b>words</b></p>")

    message = parsed(starttls_server.recorder.messages[0].content)
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    assert plain.get_content_type() == "text/plain"
    assert plain.get_content().strip() == "plain words"
    assert html.get_content_type() == "text/html"
    assert html.get_content().strip() == "<p>rich <b>words</b></p>"


async def test_attachments_arrive_byte_for_byte(run_module: Any, starttls_server: SmtpServer) -> None:
    await send(
        run_module,
        starttls_server,
        html="<p>see attached</p>",
        attachments=[
            {"filename": "image.png", "content": base64.b64encode(PNG).decode(), "encoding": "base64"},
            {"filename": "report.csv", "content": "id,total\n1,42\n"},
            {"filename": "data.bin", "content": "AAEC", "encoding": "base64", "content_type": "application/x-thing"},
        ],
    )

    message = parsed(starttls_server.recorder.messages[0].content)
    assert message.get_content_type() == "multipart/mixed"
    body = message.get_body(preferencelist=("html", "plain"))
    assert body is not None and "see attached" in body.get_content()
    files = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(files) == {"image.png", "report.csv", "data.bin"}
    assert files["image.png"].get_content_type() == "image/png"
    assert files["image.png"].get_payload(decode=True) == PNG
    assert files["report.csv"].get_content_type() == "text/csv"
    assert files["report.csv"].get_payload(decode=True) == b"id,total\n1,42\n"
    assert files["data.bin"].get_content_type() == "application/x-thing"
    assert files["data.bin"].get_payload(decode=True) == b"\x00\x01\x02"


async def test_reply_to_custom_headers_and_sender_override(run_module: Any, starttls_server: SmtpServer) -> None:
    await send(
        run_module,
        starttls_server,
        reply_to="support@example.com",
        from_address="Shop <shop@example.com>",
        headers={"X-Campaign": "spring", "Message-ID": "<fixed-1@example.com>"},
        subject="Grüße, ünïcode €",
    )

    [received] = starttls_server.recorder.messages
    assert received.mail_from == "shop@example.com"
    message = parsed(received.content)
    assert message["From"] == "Shop <shop@example.com>"
    assert message["Reply-To"] == "support@example.com"
    assert message["X-Campaign"] == "spring"
    assert message["Message-ID"] == "<fixed-1@example.com>"
    assert message["Subject"] == "Grüße, ünïcode €"


# --- refusals and failures -----------------------------------------------------------


async def test_a_refused_recipient_is_reported_and_the_others_still_get_it(
    run_module: Any, starttls_server: SmtpServer
) -> None:
    result = await send(run_module, starttls_server, to=["bob@example.com", "nobody@example.com"])

    assert result["accepted"] == ["bob@example.com"]
    assert result["rejected"] == [{"address": "nobody@example.com", "reason": "550 5.1.1 no such user"}]
    assert starttls_server.recorder.messages[0].rcpt_tos == ["bob@example.com"]


async def test_every_recipient_refused_is_a_data_error(run_module: Any, starttls_server: SmtpServer) -> None:
    with pytest.raises(DataError, match=re.escape("nobody@example.com")):
        await send(run_module, starttls_server, to="nobody@example.com")
    assert starttls_server.recorder.messages == []


@pytest.mark.parametrize("mode", ["starttls", "ssl", "none"])
async def test_a_wrong_password_is_an_authentication_error_without_the_secret(
    run_module: Any, tls_cert: Any, mode: str
) -> None:
    with running_smtp(mode, tls_cert) as server:
        with pytest.raises(AuthenticationError) as caught:
            await send(run_module, server, connection=server.connection(password="wrong-Pa55word"))
        assert server.recorder.messages == []
    assert "wrong-Pa55word" not in str(caught.value)
    assert USER in str(caught.value)


async def test_an_untrusted_certificate_is_refused_by_default(run_module: Any, starttls_server: SmtpServer) -> None:
    with pytest.raises(InvalidConfigurationError, match="could not be verified"):
        await send(run_module, starttls_server, connection=starttls_server.connection(ca_cert=None))
    assert starttls_server.recorder.messages == []


async def test_a_certificate_for_another_name_is_refused(send_via: Any, starttls_server: SmtpServer) -> None:
    connection = starttls_server.connection(host="mail.example.test")

    with pytest.raises(InvalidConfigurationError, match="could not be verified"):
        await send_via(RecordingEgress(), connection)
    assert starttls_server.recorder.messages == []


async def test_tls_verify_false_accepts_an_untrusted_certificate(run_module: Any, starttls_server: SmtpServer) -> None:
    connection = starttls_server.connection(ca_cert=None, tls_verify=False)

    result = await send(run_module, starttls_server, connection=connection)

    assert result["accepted"] == ["bob@example.com"]


async def test_starttls_is_required_when_chosen(run_module: Any, plain_server: SmtpServer) -> None:
    with pytest.raises(InvalidConfigurationError, match="STARTTLS"):
        await send(run_module, plain_server, connection=plain_server.connection(security="starttls"))
    assert plain_server.recorder.messages == []


async def test_a_closed_port_is_a_connection_error(run_module: Any, starttls_server: SmtpServer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    with pytest.raises(ConnectionError, match="cannot connect"):
        await send(run_module, starttls_server, connection=starttls_server.connection(port=closed))


async def test_a_server_that_never_greets_is_a_timeout(
    run_module: Any, plain_server: SmtpServer, silent_port: int
) -> None:
    with pytest.raises(ModuleTimeoutError):
        await send(run_module, plain_server, connection=plain_server.connection(port=silent_port), timeout_seconds=0.5)


async def test_the_connection_goes_to_the_address_egress_returns(send_via: Any, plain_server: SmtpServer) -> None:
    egress = RecordingEgress()
    connection = plain_server.connection(host="smtp.example.test")

    result = await send_via(egress, connection, text="via egress")

    assert egress.asked == [("smtp.example.test", plain_server.port)]
    assert result["accepted"] == ["bob@example.com"]


async def test_a_destination_refused_by_egress_is_never_contacted(send_via: Any, plain_server: SmtpServer) -> None:
    with pytest.raises(ConnectionError, match="not an allowed destination"):
        await send_via(RefusingEgress(), plain_server.connection())
    assert plain_server.recorder.logins == []


async def test_send_needs_an_smtp_connection(run_module: Any) -> None:
    with pytest.raises(InvalidConfigurationError, match=re.escape("needs a email.smtp connection")):
        await run_module(SEND, {"to": "bob@example.com"})
    with pytest.raises(InvalidConfigurationError, match=re.escape("cannot use a connection of type 'email.imap'")):
        await run_module(SEND, {"to": "bob@example.com"}, connection={"type": "email.imap", "fields": {}})


async def test_incomplete_connection_fields_name_the_field_not_the_secret(run_module: Any) -> None:
    connection = {"type": "email.smtp", "fields": {"password": "hunter2-secret", "port": 70000}}
    with pytest.raises(InvalidConfigurationError) as caught:
        await run_module(SEND, {"to": "bob@example.com"}, connection=connection)
    assert "host" in str(caught.value) and "from_address" in str(caught.value)
    assert "hunter2-secret" not in str(caught.value)


# --- the connection test ---------------------------------------------------------------


async def test_connection_test_logs_in_and_says_so(smtp_server: SmtpServer) -> None:
    message = await check_smtp(smtp_server.fields(), egress=RecordingEgress())

    assert f"Connected to localhost:{smtp_server.port}" in message
    assert f"logged in as {USER}" in message
    assert ("no TLS" in message) == (smtp_server.mode == "none")
    assert smtp_server.recorder.logins == [USER]


async def test_connection_test_with_a_wrong_password_raises(starttls_server: SmtpServer) -> None:
    with pytest.raises(AuthenticationError) as caught:
        await check_smtp(starttls_server.fields(password="nope-nope"))
    assert "nope-nope" not in str(caught.value) and PASSWORD not in str(caught.value)


async def test_connection_test_without_a_login_only_connects(plain_server: SmtpServer) -> None:
    message = await check_smtp(plain_server.fields(username="", password=""))

    assert "no login" in message
    assert plain_server.recorder.logins == []
