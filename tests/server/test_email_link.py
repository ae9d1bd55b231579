"""Sign-in by e-mailed link (contract section 12), against a real SMTP server (aiosmtpd).

The e-mail goes through the queue; ``send_due`` (what the sender loop runs) is called to have it sent now:
it waits for the loop if the loop is sending, so what arrived afterwards does not depend on timing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from scenarist.types import ManualClock
from tests.apps.email.conftest import SmtpServer, TlsCert, free_port, running_smtp, tls_cert  # noqa: F401 (a fixture)
from tests.mail_helpers import bodies, parsed, sign_in_link, smtp_url
from tests.server.conftest import PASSWORD, client_to, database_url, register, running, served  # noqa: F401

API = "/api/v1"


@pytest.fixture
def smtp(tls_cert: TlsCert) -> Iterator[SmtpServer]:  # noqa: F811
    with running_smtp("none", tls_cert) as server:
        yield server


async def sent(app: FastAPI) -> None:
    """Send what is due now (or wait for the sender loop that is sending it)."""
    await app.state.runtime.mail.send_due()


async def ask(client: httpx.AsyncClient, email: str = "new@example.com") -> httpx.Response:
    return await client.post(f"{API}/auth/email-link", json={"email": email})


async def follow(app: FastAPI, link: str, **headers: str) -> httpx.Response:
    async with client_to(app) as browser:
        return await browser.get(link, headers=headers)


def session_cookie(answer: httpx.Response) -> str:
    cookies = answer.headers.get_list("set-cookie")
    assert len(cookies) == 1, cookies
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0] and "Max-Age" not in cookies[0]
    return cookies[0].split(";")[0]


async def test_the_link_signs_up_a_new_address_without_a_password(tmp_path: Path, smtp: SmtpServer) -> None:
    async with running(tmp_path, smtp_url=smtp_url(smtp)) as (app, client):
        answer = await ask(client, "New.Person@example.com")
        assert (answer.status_code, answer.json()) == (202, {})
        await sent(app)
        [mail] = smtp.recorder.messages
        assert mail.rcpt_tos == ["New.Person@example.com"]
        message = parsed(mail)
        assert message["Subject"] == "Your sign-in link for Scenarist"
        assert message["From"] == "Scenarist <noreply@127.0.0.1>"
        assert message.get_content_type() == "multipart/alternative"
        text, html = bodies(mail)
        assert "15 minutes" in text and "15 minutes" in html
        link, _ = sign_in_link(mail)
        assert link.startswith("http://127.0.0.1:8000/api/v1/auth/email-link/")

        signed_in = await follow(app, link)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
        cookie = session_cookie(signed_in)
        me = await client.get(f"{API}/auth/me", headers={"cookie": cookie})
        assert me.status_code == 200, me.text
        assert me.json()["email"] == "New.Person@example.com" and me.json()["has_password"] is False
        assert me.json()["csrf_token"]
        nobody = await client.post(f"{API}/auth/login", json={"email": "new.person@example.com", "password": ""})
        assert nobody.status_code == 401


async def test_a_used_link_answers_410_and_sets_no_cookie(tmp_path: Path, smtp: SmtpServer) -> None:
    async with running(tmp_path, smtp_url=smtp_url(smtp)) as (app, client):
        await ask(client)
        await sent(app)
        link, _ = sign_in_link(smtp.recorder.messages[0])
        assert (await follow(app, link)).status_code == 303
        again = await follow(app, link)
        assert again.status_code == 410
        assert again.json()["error"]["code"] == "gone"
        assert "used already or has expired" in again.json()["error"]["message"]
        assert "set-cookie" not in again.headers
        page = await follow(app, link, accept="text/html,application/xhtml+xml")
        assert page.status_code == 410 and page.headers["content-type"].startswith("text/html")
        assert "used already or has expired" in page.text and 'href="/login"' in page.text
        made_up = await follow(app, f"{API}/auth/email-link/{'x' * 43}")
        assert made_up.status_code == 410 and "set-cookie" not in made_up.headers


async def test_following_a_link_ends_the_session_the_browser_had(tmp_path: Path, smtp: SmtpServer) -> None:
    async with running(tmp_path, smtp_url=smtp_url(smtp)) as (app, client):
        await register(client, "ada@example.com")
        login = await client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
        ada = f"scenarist_session={login.cookies['scenarist_session']}"
        client.cookies.clear()
        await ask(client, "bob@example.com")
        await sent(app)
        signed_in = await follow(app, sign_in_link(smtp.recorder.messages[0])[0], cookie=ada)
        bob = session_cookie(signed_in)
        assert bob != ada
        assert (await client.get(f"{API}/auth/me", headers={"cookie": ada})).status_code == 401
        assert (await client.get(f"{API}/auth/me", headers={"cookie": bob})).json()["email"] == "bob@example.com"


async def test_a_link_expires_after_15_minutes(tmp_path: Path, smtp: SmtpServer) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock, smtp_url=smtp_url(smtp)) as (app, client):
        await ask(client, "one@example.com")
        await ask(client, "two@example.com")
        await sent(app)
        first, second = (sign_in_link(m)[0] for m in smtp.recorder.messages)
        clock.advance(timedelta(minutes=15) - timedelta(seconds=1))
        assert (await follow(app, first)).status_code == 303
        clock.advance(timedelta(seconds=1))
        late = await follow(app, second)
        assert late.status_code == 410 and "set-cookie" not in late.headers


async def test_the_answer_is_the_same_whether_or_not_the_account_exists(tmp_path: Path, smtp: SmtpServer) -> None:
    async with running(tmp_path, smtp_url=smtp_url(smtp)) as (app, client):
        await register(client, "ada@example.com")
        known, unknown = await ask(client, "ada@example.com"), await ask(client, "zed@example.com")
        assert (known.status_code, known.content) == (unknown.status_code, unknown.content) == (202, b"{}")
        assert set(known.headers) == set(unknown.headers)
        await sent(app)
        by_address = {m.rcpt_tos[0]: m for m in smtp.recorder.messages}
        texts = {address: bodies(m)[0].replace(sign_in_link(m)[0], "LINK") for address, m in by_address.items()}
        assert texts["ada@example.com"] == texts["zed@example.com"]
        # the link of an existing account signs in to it; the address's first proof clears the password that
        # was set before it (whoever set it need not have owned the address)
        signed_in = await follow(app, sign_in_link(by_address["ada@example.com"])[0])
        me = (await client.get(f"{API}/auth/me", headers={"cookie": session_cookie(signed_in)})).json()
        assert me["email"] == "ada@example.com" and me["has_password"] is False
        login = await client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
        assert login.status_code == 401


async def test_link_requests_are_rate_limited_per_address_and_per_client(tmp_path: Path, smtp: SmtpServer) -> None:
    async with running(tmp_path, smtp_url=smtp_url(smtp)) as (app, client):
        for _ in range(3):
            assert (await ask(client, "target@example.com")).status_code == 202
        over = await ask(client, "Target@example.com")
        assert over.status_code == 429 and int(over.headers["retry-after"]) > 0
        async with client_to(app, ip="127.0.0.9") as elsewhere:
            assert (await ask(elsewhere, "target@example.com")).status_code == 429  # whoever asks
            assert (await ask(elsewhere, "other@example.com")).status_code == 202
        for n in range(7):
            assert (await ask(client, f"n{n}@example.com")).status_code == 202
        assert (await ask(client, "one-too-many@example.com")).status_code == 429  # 10 per client
        await sent(app)
        assert len(smtp.recorder.messages) == 3 + 1 + 7


async def test_a_bad_address_is_422_and_sends_nothing(tmp_path: Path, smtp: SmtpServer) -> None:
    async with running(tmp_path, smtp_url=smtp_url(smtp)) as (app, client):
        bad = await ask(client, "not an address")
        assert bad.status_code == 422 and bad.json()["error"]["path"] == "email"
        assert (await client.post(f"{API}/auth/email-link", json={})).status_code == 422
        # one recipient, and one mailbox whatever the case: no header separators, ASCII only
        for tricky in ("root,me@example.com", "a;b@example.com", "<x>@example.com", "\u212aate@example.com"):
            refused = await ask(client, tricky)
            assert refused.status_code == 422 and refused.json()["error"]["path"] == "email", tricky
        await sent(app)
        assert smtp.recorder.messages == []


async def test_only_a_hash_of_the_token_is_stored_and_the_queued_mail_is_sealed(
        tmp_path: Path, tls_cert: TlsCert) -> None:  # noqa: F811
    clock, port = ManualClock(), free_port()
    async with running(tmp_path, clock=clock, smtp_url=smtp_url(port=port)) as (app, client):
        await ask(client, "ada@example.com")
        await sent(app)  # no server there yet: the e-mail waits in the queue
        queued = _database_bytes(tmp_path)
        with running_smtp("none", tls_cert, port=port) as smtp:
            clock.advance(timedelta(seconds=30))
            await sent(app)
            _, token = sign_in_link(smtp.recorder.messages[0])
    assert b"sign in to Scenarist" not in queued  # the message, link included, is sealed in the queue
    assert token.encode() not in queued
    assert token.encode() not in _database_bytes(tmp_path)


async def test_an_account_without_a_password_sets_one_and_can_then_log_in(tmp_path: Path, smtp: SmtpServer) -> None:
    async with running(tmp_path, smtp_url=smtp_url(smtp)) as (app, client):
        await ask(client, "lin@example.com")
        await sent(app)
        signed_in = await follow(app, sign_in_link(smtp.recorder.messages[0])[0])
        cookie = session_cookie(signed_in)
        csrf = (await client.get(f"{API}/auth/me", headers={"cookie": cookie})).json()["csrf_token"]
        headers = {"cookie": cookie, "X-CSRF-Token": csrf}
        weak = await client.post(f"{API}/account/password", headers=headers, json={"new_password": "short"})
        assert weak.status_code == 422
        first = await client.post(f"{API}/account/password", headers=headers, json={"new_password": PASSWORD})
        assert first.status_code == 204, first.text
        assert (await client.get(f"{API}/auth/me", headers={"cookie": cookie})).json()["has_password"] is True
        export = (await client.get(f"{API}/account/export", headers={"cookie": cookie})).json()
        assert export["account"]["has_password"] is True
        # from now on the current password is needed
        again = await client.post(f"{API}/account/password", headers=headers, json={"new_password": "another one!"})
        assert again.status_code == 403 and again.json()["error"]["path"] == "current_password"
        login = await client.post(f"{API}/auth/login", json={"email": "lin@example.com", "password": PASSWORD})
        assert login.status_code == 200


async def test_an_account_without_a_password_can_be_deleted(tmp_path: Path, smtp: SmtpServer) -> None:
    async with running(tmp_path, smtp_url=smtp_url(smtp)) as (app, client):
        await ask(client, "gone@example.com")
        await sent(app)
        cookie = session_cookie(await follow(app, sign_in_link(smtp.recorder.messages[0])[0]))
        me = (await client.get(f"{API}/auth/me", headers={"cookie": cookie})).json()
        export = (await client.get(f"{API}/account/export", headers={"cookie": cookie})).json()
        assert export["account"]["has_password"] is False and "password_hash" not in export["account"]
        deleted = await client.request("DELETE", f"{API}/account", json={"password": ""},
                                       headers={"cookie": cookie, "X-CSRF-Token": me["csrf_token"]})
        assert deleted.status_code == 204, deleted.text
        assert (await client.get(f"{API}/auth/me", headers={"cookie": cookie})).status_code == 401


async def test_the_link_works_on_postgresql_and_sqlite(tmp_path: Path, database_url: str | None,  # noqa: F811
                                                       smtp: SmtpServer) -> None:
    async with served(tmp_path, database_url, smtp_url=smtp_url(smtp)) as (app, client):
        await ask(client, "pg@example.com")
        await sent(app)
        link, _ = sign_in_link(smtp.recorder.messages[0])
        assert (await follow(app, link)).status_code == 303
        assert (await follow(app, link)).status_code == 410


def _database_bytes(tmp_path: Path) -> bytes:
    data = tmp_path / "data"
    return b"".join(path.read_bytes() for path in sorted(data.glob("scenarist.db*")))


async def test_whoever_registered_an_address_before_its_owner_keeps_nothing(tmp_path: Path, smtp: SmtpServer) -> None:
    """Someone registers the owner's address with a password and an API token; the owner's first link
    clears the password and ends the sessions and tokens, so the squatter is out."""
    async with running(tmp_path, smtp_url=smtp_url(smtp)) as (app, client):
        squatter = await register(client, "owner@example.com")  # an API token, and a password they know
        login = await client.post(f"{API}/auth/login", json={"email": "owner@example.com", "password": PASSWORD})
        squatter_cookie = login.headers["set-cookie"].split(";")[0]
        client.cookies.clear()
        assert (await client.get(f"{API}/auth/me", headers=squatter)).status_code == 200
        await ask(client, "owner@example.com")
        await sent(app)
        owner = session_cookie(await follow(app, sign_in_link(smtp.recorder.messages[0])[0]))
        assert (await client.get(f"{API}/auth/me", headers=squatter)).status_code == 401  # the token is revoked
        assert (await client.get(f"{API}/auth/me", headers={"cookie": squatter_cookie})).status_code == 401
        again = await client.post(f"{API}/auth/login", json={"email": "owner@example.com", "password": PASSWORD})
        assert again.status_code == 401  # the password is gone
        me = (await client.get(f"{API}/auth/me", headers={"cookie": owner})).json()
        assert me["email"] == "owner@example.com" and me["has_password"] is False
        # a later link changes nothing more: the address is proven once
        token = await client.post(f"{API}/tokens", json={"name": "mine"},
                                  headers={"cookie": owner, "X-CSRF-Token": me["csrf_token"]})
        assert token.status_code == 201, token.text
        await ask(client, "owner@example.com")
        await sent(app)
        session_cookie(await follow(app, sign_in_link(smtp.recorder.messages[1])[0]))
        mine = {"Authorization": f"Bearer {token.json()['token']}"}
        assert (await client.get(f"{API}/auth/me", headers=mine)).status_code == 200


async def test_without_a_password_grave_changes_take_a_fresh_cookie_session(tmp_path: Path, smtp: SmtpServer) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock, smtp_url=smtp_url(smtp)) as (app, client):
        await ask(client, "fresh@example.com")
        await sent(app)
        cookie = session_cookie(await follow(app, sign_in_link(smtp.recorder.messages[0])[0]))
        csrf = (await client.get(f"{API}/auth/me", headers={"cookie": cookie})).json()["csrf_token"]
        headers = {"cookie": cookie, "X-CSRF-Token": csrf}
        made = await client.post(f"{API}/tokens", json={"name": "script"}, headers=headers)
        bearer = {"Authorization": f"Bearer {made.json()['token']}"}
        # an API token alone can neither set the first password nor erase the account
        by_token = await client.post(f"{API}/account/password", headers=bearer, json={"new_password": PASSWORD})
        assert by_token.status_code == 403 and by_token.json()["error"]["path"] == "current_password"
        erase = await client.request("DELETE", f"{API}/account", json={"password": ""}, headers=bearer)
        assert erase.status_code == 403 and erase.json()["error"]["path"] == "password"
        # nor a session signed in too long ago (kept alive all along, so it has not timed out)
        for _ in range(4):
            clock.advance(timedelta(minutes=4))
            assert (await client.get(f"{API}/auth/me", headers={"cookie": cookie})).status_code == 200
        stale = await client.post(f"{API}/account/password", headers=headers, json={"new_password": PASSWORD})
        assert stale.status_code == 403
        assert (await client.get(f"{API}/auth/me", headers=bearer)).json()["has_password"] is False
