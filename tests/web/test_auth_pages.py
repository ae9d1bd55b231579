"""Sign-up, login, logout and the privacy page, walked in Chromium as a user does."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.web.browser import Server, log_in, new_email, register

MAIN_LINKS = ["Scenarios", "Connections", "Data stores", "Incomplete executions", "Notifications", "Account"]


def test_sign_up_logs_the_new_user_in(page: Any) -> None:
    page.goto("/signup")
    page.get_by_role("textbox", name="E-mail").fill(new_email("signup"))
    page.get_by_role("textbox", name="Password").fill("a long enough password")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Scenarios", level=1)).to_be_visible()
    expect(page).to_have_url(f"{page.url.split('/scenarios')[0]}/scenarios")


def test_sign_up_with_a_short_password_says_why(page: Any) -> None:
    page.goto("/signup")
    page.get_by_role("textbox", name="E-mail").fill(new_email("short"))
    page.get_by_role("textbox", name="Password").fill("short")
    page.get_by_role("button", name="Sign up").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("at least 10 characters")
    expect(alert).to_contain_text("field: password")


def test_every_page_after_login_has_the_main_navigation_and_log_out(page: Any, ui_server: Server) -> None:
    log_in(page, register(ui_server))
    nav = page.get_by_role("navigation", name="Main")
    for name in MAIN_LINKS:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in MAIN_LINKS[1:]:
        nav.get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_wrong_password_is_said_plainly(page: Any, ui_server: Server) -> None:
    account = register(ui_server)
    page.goto("/login")
    page.get_by_role("textbox", name="E-mail").fill(account.email)
    page.get_by_role("textbox", name="Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    expect(page).to_have_url(f"{ui_server.base}/login")


def test_too_many_attempts_say_when_to_try_again(page: Any, ui_server: Server) -> None:
    account = register(ui_server)
    page.goto("/login")
    page.get_by_role("textbox", name="E-mail").fill(account.email)
    page.get_by_role("textbox", name="Password").fill("not the password")
    for _ in range(5):
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
        expect(page.get_by_role("button", name="Log in")).to_be_enabled()
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text(
        __import__("re").compile(r"^Too many attempts\. Try again in \d+ seconds?\.$"))


def test_remember_my_email_fills_it_in_next_time(page: Any, ui_server: Server) -> None:
    account = register(ui_server)
    log_in(page, account, remember=True)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("textbox", name="E-mail")).to_have_value(account.email)
    expect(page.get_by_role("checkbox", name="Remember my e-mail")).to_be_checked()


def test_without_remember_the_email_is_not_filled_in(page: Any, ui_server: Server) -> None:
    log_in(page, register(ui_server))
    page.get_by_role("button", name="Log out").click()
    page.reload()
    expect(page.get_by_role("textbox", name="E-mail")).to_have_value("")
    expect(page.get_by_role("checkbox", name="Remember my e-mail")).not_to_be_checked()


def test_log_out_ends_the_session_on_the_server(page: Any, ui_server: Server) -> None:
    log_in(page, register(ui_server))
    cookie = next(c for c in page.context.cookies() if c["name"] == "scenarist_session")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    stale = httpx.get(f"{ui_server.base}/api/v1/auth/me", cookies={cookie["name"]: cookie["value"]})
    assert stale.status_code == 401
    page.goto("/scenarios")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_a_deep_link_after_login_survives_a_reload(page: Any, ui_server: Server) -> None:
    log_in(page, register(ui_server))
    page.goto("/notifications")
    page.reload()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    page.goto("/no/such/page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


def test_a_deep_link_without_login_goes_to_login_and_back(page: Any, ui_server: Server) -> None:
    account = register(ui_server)
    page.goto("/data-stores")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_role("textbox", name="E-mail").fill(account.email)
    page.get_by_role("textbox", name="Password").fill(account.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Data stores", level=1)).to_be_visible()


def test_the_login_page_links_to_sign_up_and_privacy(page: Any) -> None:
    page.goto("/login")
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("button", name="Sign up")).to_be_visible()
    page.get_by_role("link", name="Privacy policy").click()
    expect(page.get_by_role("heading", name="Privacy policy", level=1)).to_be_visible()


def test_the_privacy_page_states_the_configured_windows_without_login(page: Any) -> None:
    page.goto("/privacy")
    table = page.get_by_role("table", name="How long we keep what your scenarios record")
    expect(table.get_by_role("row", name="Webhook gateway logs")).to_contain_text("30 days")
    expect(table.get_by_role("row", name="Incomplete executions")).to_contain_text("30 days")
    expect(table.get_by_role("row", name="Notifications")).to_contain_text("7 days")
    expect(table.get_by_role("row", name="Activity stream")).to_contain_text("30 days")
    expect(table.get_by_role("row", name="Run information")).to_contain_text("60 days")
    expect(table.get_by_role("row", name="Access log")).to_contain_text("30 days")
    expect(page.get_by_text("ends after 20 minutes without activity")).to_be_visible()


def test_sign_up_with_a_taken_email_says_so(page: Any, ui_server: Server) -> None:
    account = register(ui_server)
    page.goto("/signup")
    page.get_by_role("textbox", name="E-mail").fill(account.email)
    page.get_by_role("textbox", name="Password").fill("another long password")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_have_text("This e-mail is already registered (field: email).")
