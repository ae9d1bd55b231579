"""The e-mail queue: it survives restarts, retries with exponential backoff, and an SMTP server that is down
delays e-mails but loses none. Against real aiosmtpd servers, in each security mode, with a login."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from scenarist.mail import SmtpTarget
from scenarist.settings import Settings
from scenarist.types import ManualClock
from tests.apps.email.conftest import (  # noqa: F401 (fixtures)
    Recorder,
    SmtpServer,
    TlsCert,
    free_port,
    running_smtp,
    smtp_server,
    tls_cert,
)
from tests.mail_helpers import sign_in_link, smtp_url
from tests.server.conftest import client_to, database_url, running, served  # noqa: F401

API = "/api/v1"
PATIENCE_SECONDS = 20.0


async def ask(client: httpx.AsyncClient, email: str) -> None:
    answer = await client.post(f"{API}/auth/email-link", json={"email": email})
    assert answer.status_code == 202, answer.text


async def send_due(app: FastAPI) -> None:
    await app.state.runtime.mail.send_due()


async def until(condition: object, what: str) -> None:
    """Wait for ``condition()`` (the sender loop works on its own time); fail after a generous while."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE_SECONDS
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            pytest.fail(f"{what} did not happen within {PATIENCE_SECONDS:g} s")
        await asyncio.sleep(0.05)


@pytest.fixture
def down(tls_cert: TlsCert) -> Iterator[tuple[int, Recorder]]:  # noqa: F811
    """A port with no SMTP server yet, and the recorder of the server that will come up there."""
    yield free_port(), Recorder()


async def test_every_security_mode_with_a_login(tmp_path: Path, smtp_server: SmtpServer) -> None:  # noqa: F811
    ca = tmp_path / "ca.pem"
    ca.write_text(smtp_server.ca_cert)
    async with running(tmp_path, smtp_url=smtp_url(smtp_server), smtp_ca_file=str(ca),
                       mail_from="Scenarist <robot@example.com>") as (app, client):
        await ask(client, "ada@example.com")
        await send_due(app)
    [mail] = smtp_server.recorder.messages
    assert mail.rcpt_tos == ["ada@example.com"] and mail.mail_from == "robot@example.com"
    assert smtp_server.recorder.logins == ["ada@example.com"]  # the test server's user
    sign_in_link(mail)


async def test_an_unverifiable_certificate_delays_the_mail(tmp_path: Path, tls_cert: TlsCert) -> None:  # noqa: F811
    with running_smtp("ssl", tls_cert) as server:
        async with running(tmp_path, smtp_url=smtp_url(server)) as (app, client):  # no CA file: not trusted
            await ask(client, "ada@example.com")
            await send_due(app)
            assert server.recorder.messages == []
            assert await app.state.runtime.store.next_mail_at() is not None


async def test_down_then_up_retries_with_exponential_backoff(tmp_path: Path, tls_cert: TlsCert,  # noqa: F811
                                                             down: tuple[int, Recorder]) -> None:
    port, recorder = down
    clock = ManualClock()
    async with running(tmp_path, clock=clock, smtp_url=smtp_url(port=port), mail_retry_seconds=30,
                       mail_retry_max_seconds=3600) as (app, client):
        await ask(client, "ada@example.com")
        await send_due(app)  # attempt 1 fails: next in 30 s
        clock.advance(timedelta(seconds=30))
        await send_due(app)  # attempt 2 fails: next in 60 s
        with running_smtp("none", tls_cert, port=port, recorder=recorder):
            clock.advance(timedelta(seconds=59))
            await send_due(app)
            assert recorder.messages == []  # not due yet, although the server is back
            clock.advance(timedelta(seconds=1))
            await send_due(app)
            assert len(recorder.messages) == 1
            assert await app.state.runtime.store.next_mail_at() is None  # sent, so gone from the queue


async def test_the_wait_between_attempts_stops_growing_at_the_maximum(tmp_path: Path, tls_cert: TlsCert,  # noqa: F811
                                                                      down: tuple[int, Recorder]) -> None:
    port, recorder = down
    clock = ManualClock()
    async with running(tmp_path, clock=clock, smtp_url=smtp_url(port=port), mail_retry_seconds=10,
                       mail_retry_max_seconds=25) as (app, client):
        await ask(client, "ada@example.com")
        store = app.state.runtime.store
        waits = []
        for _ in range(4):
            before = clock.now()
            await send_due(app)
            due = await store.next_mail_at()
            waits.append((due - before).total_seconds())
            clock.set(due)
        assert waits == [10, 20, 25, 25]
        # a sign-in link expires in 15 minutes: its e-mail is dropped rather than sent late
        with running_smtp("none", tls_cert, port=port, recorder=recorder):
            clock.advance(timedelta(minutes=15))
            await send_due(app)
        assert recorder.messages == []
        assert await store.next_mail_at() is None


async def test_the_queue_survives_a_restart(tmp_path: Path, database_url: str | None,  # noqa: F811
                                            tls_cert: TlsCert, down: tuple[int, Recorder]) -> None:  # noqa: F811
    port, recorder = down
    async with served(tmp_path, database_url, smtp_url=smtp_url(port=port), mail_retry_seconds=0.1) as (app, client):
        await ask(client, "ada@example.com")
        await send_due(app)
        assert await app.state.runtime.store.next_mail_at() is not None
    with running_smtp("none", tls_cert, port=port, recorder=recorder):
        async with served(tmp_path, database_url, smtp_url=smtp_url(port=port)) as (app, _):
            await until(lambda: recorder.messages, "the e-mail queued before the restart was sent")
            link, _ = sign_in_link(recorder.messages[0])
            async with client_to(app) as browser:
                assert (await browser.get(link)).status_code == 303


async def test_the_sender_loop_sends_on_its_own_and_waits_out_a_server_that_is_down(
        tmp_path: Path, tls_cert: TlsCert, down: tuple[int, Recorder]) -> None:  # noqa: F811
    port, recorder = down
    async with running(tmp_path, smtp_url=smtp_url(port=port), mail_retry_seconds=0.1,
                       mail_retry_max_seconds=0.2) as (app, client):
        store = app.state.runtime.store
        await ask(client, "first@example.com")
        await until(lambda: app.state.runtime.mail.failures >= 2, "two failed attempts")
        with running_smtp("none", tls_cert, port=port, recorder=recorder):
            await ask(client, "second@example.com")
            await until(lambda: len(recorder.messages) == 2, "both e-mails sent")
        assert sorted(m.rcpt_tos[0] for m in recorder.messages) == ["first@example.com", "second@example.com"]
        assert await store.next_mail_at() is None


async def test_a_recipient_refused_for_good_is_dropped_and_the_rest_go_on(tmp_path: Path,
                                                                        tls_cert: TlsCert) -> None:  # noqa: F811
    with running_smtp("none", tls_cert) as server:
        async with running(tmp_path, smtp_url=smtp_url(server)) as (app, client):
            await ask(client, "nobody@example.com")  # the test server answers 550 for nobody@
            await ask(client, "ada@example.com")
            await send_due(app)
            assert await app.state.runtime.store.next_mail_at() is None
    assert [m.rcpt_tos for m in server.recorder.messages] == [["ada@example.com"]]


def test_the_smtp_url_is_parsed_and_redacted() -> None:
    target = SmtpTarget.parse("smtp+starttls://us%40er:p%3Ass@mail.example.com")
    assert (target.host, target.port, target.security) == ("mail.example.com", 587, "starttls")
    assert (target.username, target.password) == ("us@er", "p:ss")
    assert SmtpTarget.parse("smtps://mail.example.com").port == 465
    assert SmtpTarget.parse("smtp://mail.example.com:2525").port == 2525
    with pytest.raises(ValueError, match="smtp://"):
        SmtpTarget.parse("http://mail.example.com")
    shown = Settings(smtp_url="smtps://robot:hunter22@mail.example.com", _env_file=None).redacted()
    assert shown["smtp_url"] == "smtps://robot:**********@mail.example.com"
