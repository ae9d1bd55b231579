"""Sign-in by e-mailed link, walked in Chromium: `scenarist serve` sends the link through a real SMTP server
(aiosmtpd) to the address typed on the sign-up or login page; following it logs in (and the first time signs
up, with no password); the account page then sets a password."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.apps.email.conftest import Recorder, TlsCert, running_smtp, tls_cert  # noqa: F401 (a fixture)
from tests.mail_helpers import sign_in_link, smtp_url
from tests.web.browser import Account, PageGuard, Server, log_in, new_email, register, serving
from tests.web.conftest import new_context
from tests.web.test_accessibility import check
from tests.web.tooling import built_ui

PATIENCE_SECONDS = 20.0


@pytest.fixture(scope="module")
def mailed(tmp_path_factory: pytest.TempPathFactory, tls_cert: TlsCert) -> Iterator[tuple[Server, Recorder]]:  # noqa: F811
    """`scenarist serve` whose e-mails go to an aiosmtpd server of this test, and what that server received."""
    built_ui()
    with running_smtp("none", tls_cert) as smtp, \
            serving(tmp_path_factory.mktemp("serve-mail"), SCENARIST_SMTP_URL=smtp_url(smtp)) as server:
        yield server, smtp.recorder


@pytest.fixture
def mail_page(browser: Any, mailed: tuple[Server, Recorder]) -> Iterator[Any]:
    context = new_context(browser, mailed[0])
    guard = PageGuard()
    page = context.new_page()
    guard.watch(page)
    yield page
    violations = guard.violations(page)
    context.close()
    assert not violations, f"CSP violations: {violations}"


def link_to(recorder: Recorder, email: str) -> str:
    """The sign-in link last e-mailed to ``email`` (the server's sender works on its own time)."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        found = [m for m in recorder.messages if m.rcpt_tos == [email]]
        if found:
            return sign_in_link(found[-1])[0]
        time.sleep(0.05)
    pytest.fail(f"no e-mail reached {email} within {PATIENCE_SECONDS:g} s")


def ask_for_link(page: Any, path: str, email: str) -> None:
    page.goto(path)
    page.get_by_role("textbox", name="E-mail").fill(email)
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_role("status")).to_contain_text(f"We sent a sign-in link to {email}")


def test_sign_up_by_link_then_set_a_password(mail_page: Any, mailed: tuple[Server, Recorder]) -> None:
    recorder = mailed[1]
    page, email = mail_page, new_email("link")
    ask_for_link(page, "/signup", email)
    check(page, "signup-link-sent")
    link = link_to(recorder, email)

    page.goto(link)
    expect(page.get_by_role("heading", name="Scenarios", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(page.get_by_role("strong")).to_have_text(email)
    expect(page.get_by_role("heading", name="Set a password")).to_be_visible()
    expect(page.get_by_role("textbox", name="Current password")).to_have_count(0)
    page.get_by_role("textbox", name="New password").fill("a password set later")
    page.get_by_role("button", name="Set a password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password was set")
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    log_in(page, Account(email, "a password set later"))

    page.goto(link)  # once only
    expect(page.get_by_role("heading", name="This sign-in link cannot be used")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("used already or has expired")
    page.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()


def test_log_in_by_link_from_the_login_page(mail_page: Any, mailed: tuple[Server, Recorder]) -> None:
    server, recorder = mailed
    account = register(server)
    ask_for_link(mail_page, "/login", account.email)
    mail_page.goto(link_to(recorder, account.email))
    expect(mail_page.get_by_role("heading", name="Scenarios", level=1)).to_be_visible()
    mail_page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    # the address's first proof cleared the password it was registered with (its registrant need not have
    # owned it): the owner sets one again
    expect(mail_page.get_by_role("heading", name="Set a password")).to_be_visible()


def test_the_link_button_asks_for_the_email_first(mail_page: Any, mailed: tuple[Server, Recorder]) -> None:
    mail_page.goto("/login")
    mail_page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(mail_page.get_by_role("textbox", name="E-mail")).to_be_focused()
    expect(mail_page.get_by_role("status")).to_have_count(0)
