"""The notifications page and the unread count in the navigation: real notifications (a run that stopped
at a failed step), mark one and all as read; the count follows navigation and actions, never a timer."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser import PageGuard, Server, log_in, register
from tests.web.conftest import new_context
from tests.web.test_accessibility import check
from tests.web.test_incomplete_executions import Api

_names = itertools.count(1)


@pytest.fixture
def user_page(browser: Any, ui_server: Server) -> Iterator[Any]:
    context = new_context(browser, ui_server)
    guard = PageGuard()
    page = context.new_page()
    guard.watch(page)
    log_in(page, register(ui_server))
    yield page
    violations = guard.violations(page)
    context.close()
    assert not violations, f"CSP violations: {violations}"


def nav_link(page: Any) -> Any:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Notifications"))


def test_the_empty_state(user_page: Any) -> None:
    expect(nav_link(user_page)).to_have_accessible_name("Notifications")
    nav_link(user_page).click()
    expect(user_page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(user_page.get_by_role("heading", name="No notifications")).to_be_visible()
    expect(user_page.get_by_text("Notifications are kept 7 days.")).to_be_visible()
    check(user_page, "notifications-empty")


def test_the_count_follows_navigation_and_mark_as_read(user_page: Any) -> None:
    name = f"Broken parser {next(_names)}"
    Api(user_page).failing_scenario(name)
    expect(nav_link(user_page)).to_have_accessible_name("Notifications")  # no timer fetched it
    user_page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(nav_link(user_page)).to_have_accessible_name("Notifications 1 unread")
    nav_link(user_page).click()
    item = user_page.get_by_role("listitem").filter(has=user_page.get_by_role("link", name=name))
    expect(item).to_contain_text("Unread")
    expect(item.get_by_role("link", name="Incomplete executions")).to_be_visible()
    check(user_page, "notifications")
    item.get_by_role("button", name="Mark as read").click()
    expect(item.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(item).not_to_contain_text("Unread")
    expect(nav_link(user_page)).to_have_accessible_name("Notifications")
    user_page.reload()
    expect(item).to_be_visible()
    expect(item).not_to_contain_text("Unread")
    item.get_by_role("link", name=name).click()
    expect(user_page.get_by_role("heading", name=name, level=1)).to_be_visible()


def test_mark_all_as_read(user_page: Any) -> None:
    api = Api(user_page)
    for label in ("First", "Second"):
        api.failing_scenario(f"{label} failure {next(_names)}")
    user_page.goto("/notifications")
    expect(nav_link(user_page)).to_have_accessible_name("Notifications 2 unread")
    expect(user_page.get_by_role("button", name="Mark as read")).to_have_count(2)
    user_page.get_by_role("button", name="Mark all as read").click()
    expect(user_page.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(nav_link(user_page)).to_have_accessible_name("Notifications")
    expect(user_page.get_by_role("button", name="Mark all as read")).to_be_disabled()


def test_an_action_elsewhere_refreshes_the_count(user_page: Any) -> None:
    name = f"Retried {next(_names)}"
    api = Api(user_page)
    api.failing_scenario(name)
    user_page.goto("/notifications")
    user_page.get_by_role("button", name="Mark all as read").click()
    expect(nav_link(user_page)).to_have_accessible_name("Notifications")
    user_page.get_by_role("navigation", name="Main").get_by_role("link", name="Incomplete executions").click()
    row = user_page.get_by_role("row").filter(has=user_page.get_by_role("link", name=name, exact=True))
    row.get_by_role("button", name="Retry").click()
    expect(user_page.get_by_role("status").filter(has_text="The retry failed again.")).to_be_visible()
    expect(nav_link(user_page)).to_have_accessible_name(re.compile(r"^Notifications( \d+ unread)?$"))
