"""The account page: the e-mail, changing the password, API tokens, the export, deleting the account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.browser import Account, PageGuard, Server, log_in, register
from tests.web.conftest import new_context
from tests.web.test_accessibility import check

NEW_PASSWORD = "another long passphrase"


@pytest.fixture
def account_page(browser: Any, ui_server: Server) -> Iterator[tuple[Any, Account]]:
    """A fresh account, logged in, on `/account` (the clipboard allowed); fails on any CSP violation."""
    context = new_context(browser, ui_server, permissions=["clipboard-read", "clipboard-write"])
    guard = PageGuard()
    page = context.new_page()
    guard.watch(page)
    account = register(ui_server)
    log_in(page, account)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Account", level=1)).to_be_visible()
    yield page, account
    violations = guard.violations(page)
    context.close()
    assert not violations, f"CSP violations: {violations}"


def bearer(server: Server, token: str) -> int:
    with server.api() as http:
        return http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_the_page_shows_the_email_and_links_the_privacy_policy(account_page: tuple[Any, Account]) -> None:
    page, account = account_page
    expect(page.get_by_text(f"E-mail: {account.email}")).to_be_visible()
    check(page, "account")
    page.get_by_role("link", name="Privacy policy").click()
    expect(page.get_by_role("heading", name="Privacy policy", level=1)).to_be_visible()


def test_change_the_password(account_page: tuple[Any, Account], browser: Any, ui_server: Server) -> None:
    page, account = account_page
    other = new_context(browser, ui_server).new_page()
    log_in(other, account)
    page.get_by_role("textbox", name="Current password").fill("not my password")
    page.get_by_role("textbox", name="New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong password (field: current_password).")
    page.get_by_role("textbox", name="Current password").fill(account.password)
    page.get_by_role("textbox", name="New password").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("field: new_password")
    page.get_by_role("textbox", name="New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="Your password was changed")).to_be_visible()
    expect(page.get_by_role("textbox", name="Current password")).to_have_value("")
    # This session goes on; the other one ended.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scenarios").click()
    expect(page.get_by_role("heading", name="Scenarios", level=1)).to_be_visible()
    other.reload()
    expect(other.get_by_role("button", name="Log in")).to_be_visible()
    # not "after 20 minutes without activity": it was busy a moment ago
    expect(other.get_by_role("status").filter(has_text="Your session was ended elsewhere")).to_be_visible()
    expect(other.get_by_text("without activity")).to_have_count(0)
    other.context.close()
    page.get_by_role("button", name="Log out").click()
    log_in(page, Account(account.email, NEW_PASSWORD))


def test_create_copy_and_revoke_an_api_token(account_page: tuple[Any, Account], ui_server: Server) -> None:
    page, _ = account_page
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    page.get_by_role("textbox", name="Token name").fill("Deploy script")
    page.get_by_role("button", name="Create token").click()
    shown = page.get_by_role("group", name="New token Deploy script")
    expect(shown).to_contain_text("shown only once")
    token = shown.locator("code").inner_text()
    assert token.startswith("scn_"), token
    shown.get_by_role("button", name="Copy").click()
    expect(shown.get_by_role("status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == token
    assert bearer(ui_server, token) == 200
    row = page.get_by_role("row").filter(has_text="Deploy script")
    expect(row).to_be_visible()
    check(page, "account-token-created")
    page.reload()
    expect(page.get_by_role("group", name="New token Deploy script")).to_have_count(0)
    expect(page.get_by_text(token)).to_have_count(0)
    row.get_by_role("button", name="Revoke Deploy script").click()
    dialog = page.get_by_role("dialog", name="Revoke token")
    expect(dialog).to_contain_text("Deploy script")
    dialog.get_by_role("button", name="Revoke").click()
    expect(row).to_have_count(0)
    assert bearer(ui_server, token) == 401


def test_a_refused_token_name_says_why(account_page: tuple[Any, Account]) -> None:
    page, _ = account_page
    page.get_by_role("textbox", name="Token name").fill("x" * 100 + "y")  # maxLength keeps 100
    page.get_by_role("textbox", name="Token name").fill("   ")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("alert")).to_contain_text("field: name")


def test_export_my_data_downloads_the_json(account_page: tuple[Any, Account], tmp_path: Path) -> None:
    page, account = account_page
    with page.expect_download() as download:
        page.get_by_role("button", name="Export my data").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("scenarist-export-") and saved.suffix == ".json"
    data = json.loads(saved.read_text())
    assert data["account"]["email"] == account.email


def test_delete_my_account(account_page: tuple[Any, Account], ui_server: Server) -> None:
    page, account = account_page
    page.get_by_role("button", name="Delete my account").click()
    dialog = page.get_by_role("dialog", name="Delete my account")
    expect(dialog).to_contain_text("scenarios and their run history")
    expect(dialog).to_contain_text("connections and their credentials")
    expect(dialog).to_contain_text("for good")
    dialog.get_by_role("textbox", name="Password").fill("not my password")
    check(page, "account-delete-dialog")
    dialog.get_by_role("button", name="Delete").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Wrong password")
    dialog.get_by_role("textbox", name="Password").fill(account.password)
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Your account and all its data were deleted.")
    with httpx.Client(base_url=ui_server.base, headers={"x-forwarded-for": "10.99.0.1"}) as http:
        answer = http.post("/api/v1/auth/login", json={"email": account.email, "password": account.password})
    assert answer.status_code == 401


def test_the_account_page_on_a_phone(browser: Any, ui_server: Server) -> None:
    context = new_context(browser, ui_server, viewport={"width": 390, "height": 844})
    guard = PageGuard()
    page = context.new_page()
    guard.watch(page)
    log_in(page, register(ui_server))
    page.goto("/account")
    page.get_by_role("textbox", name="Token name").fill("Phone")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("group", name="New token Phone")).to_be_visible()
    check(page, "account-390")
    for control in (page.get_by_role("button", name="Copy"), page.get_by_role("button", name="Revoke Phone"),
                    page.get_by_role("button", name="Change password"),
                    page.get_by_role("button", name="Export my data"),
                    page.get_by_role("button", name="Delete my account"),
                    page.get_by_role("link", name="Privacy policy")):
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    violations = guard.violations(page)
    context.close()
    assert not violations, f"CSP violations: {violations}"
