"""The idle timeout: the UI sends nothing by itself, and a session that ended says so on the login page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser import ARTIFACTS, Server, log_in, register, serving

IDLE_SECONDS = 3


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This module's own server: sessions end after a few idle seconds."""
    from tests.web.tooling import built_ui

    built_ui()
    with serving(tmp_path_factory.mktemp("serve-idle"), SCENARIST_SESSION_IDLE_SECONDS=str(IDLE_SECONDS)) as server:
        yield server


def test_an_idle_page_sends_no_request(page: Any, ui_server: Server) -> None:
    log_in(page, register(ui_server))
    page.get_by_text("No scenarios yet").wait_for()
    page.wait_for_timeout(300)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    page.evaluate("""() => {
        window.dispatchEvent(new Event("focus"));
        document.dispatchEvent(new Event("visibilitychange"));
        window.dispatchEvent(new Event("online"));
    }""")
    time.sleep(IDLE_SECONDS / 2)
    assert sent == []


def test_an_action_after_the_idle_timeout_says_the_session_ended(page: Any, ui_server: Server) -> None:
    log_in(page, register(ui_server))
    time.sleep(IDLE_SECONDS + 1)
    page.get_by_role("button", name="Create a new scenario").click()
    dialog = page.get_by_role("dialog", name="Create a new scenario")
    dialog.get_by_role("textbox", name="Name").fill("Too late")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status")).to_have_text(
        "Your session ended after 1 minute without activity. Please log in again.")
    assert page.url.endswith("/login?ended=idle")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "login-session-ended.png"))


def test_a_reload_after_the_idle_timeout_says_the_session_ended(page: Any, ui_server: Server) -> None:
    account = register(ui_server)
    log_in(page, account)
    time.sleep(IDLE_SECONDS + 1)
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("Your session ended after 1 minute without activity")
    page.get_by_role("textbox", name="Password").fill(account.password)
    page.get_by_role("textbox", name="E-mail").fill(account.email)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Scenarios", level=1)).to_be_visible()
