"""The scenario list: create, rename, duplicate, (de)activate, delete, search, the empty state."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser import PageGuard, Server, log_in, register
from tests.web.conftest import new_context

_names = itertools.count(1)


def unique(label: str) -> str:
    return f"{label} {next(_names)}"


@pytest.fixture(scope="module")
def session_state(browser: Any, ui_server: Server) -> Any:
    """One account for the module, logged in once through the login page."""
    context = new_context(browser, ui_server)
    page = context.new_page()
    log_in(page, register(ui_server))
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def user_page(browser: Any, ui_server: Server, session_state: Any) -> Iterator[Any]:
    """The scenario list of the module's account; fails the test on any CSP violation."""
    context = new_context(browser, ui_server, storage_state=session_state)
    guard = PageGuard()
    page = context.new_page()
    guard.watch(page)
    page.goto("/scenarios")
    expect(page.get_by_role("heading", name="Scenarios", level=1)).to_be_visible()
    yield page
    violations = guard.violations(page)
    context.close()
    assert not violations, f"CSP violations: {violations}"


def create(page: Any, name: str) -> Any:
    page.get_by_role("button", name="Create a new scenario").click()
    dialog = page.get_by_role("dialog", name="Create a new scenario")
    dialog.get_by_role("textbox", name="Name").fill(name)
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_be_hidden()
    return row(page, name)


def row(page: Any, name: str) -> Any:
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def test_a_new_account_sees_what_to_do_first(page: Any, ui_server: Server) -> None:
    log_in(page, register(ui_server))
    expect(page.get_by_role("heading", name="No scenarios yet")).to_be_visible()
    expect(page.get_by_text("Start with “Create a new scenario”")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)


def test_create_a_scenario_with_a_webhook_trigger(user_page: Any) -> None:
    name = unique("Orders to the sink")
    created = create(user_page, name)
    expect(created).to_be_visible()
    expect(created).to_contain_text("Webhook")
    expect(created).to_contain_text("Immediately")
    expect(created).to_contain_text("Never")
    expect(created.get_by_role("switch", name="Active")).to_have_attribute("aria-checked", "false")


def test_the_name_link_opens_the_scenario_and_a_reload_keeps_it(user_page: Any) -> None:
    name = unique("Deep link")
    create(user_page, name).get_by_role("link", name=name).click()
    expect(user_page.get_by_role("heading", name=name, level=1)).to_be_visible()
    assert re.search(r"/scenarios/[0-9a-f]+$", user_page.url)
    user_page.reload()
    expect(user_page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(user_page.get_by_text("/hooks/")).to_be_visible()


def test_an_empty_name_is_refused_with_its_field(user_page: Any) -> None:
    user_page.get_by_role("button", name="Create a new scenario").click()
    dialog = user_page.get_by_role("dialog", name="Create a new scenario")
    dialog.get_by_role("textbox", name="Name").fill("   ")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog.get_by_role("alert")).to_contain_text("field: name")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()


def test_activate_and_deactivate(user_page: Any) -> None:
    name = unique("Switch me")
    switch = create(user_page, name).get_by_role("switch", name="Active")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    user_page.reload()
    switch = row(user_page, name).get_by_role("switch", name="Active")
    expect(switch).to_have_attribute("aria-checked", "true")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")


def test_rename(user_page: Any) -> None:
    old, new = unique("Old name"), unique("New name")
    create(user_page, old).get_by_role("button", name="Rename").click()
    dialog = user_page.get_by_role("dialog", name="Rename scenario")
    expect(dialog.get_by_role("textbox", name="Name")).to_have_value(old)
    dialog.get_by_role("textbox", name="Name").fill(new)
    dialog.get_by_role("button", name="Save").click()
    expect(row(user_page, new)).to_be_visible()
    expect(row(user_page, old)).to_have_count(0)


def test_duplicate(user_page: Any) -> None:
    name = unique("Original")
    create(user_page, name).get_by_role("button", name="Duplicate").click()
    copy = row(user_page, f"{name} (copy)")
    expect(copy).to_be_visible()
    expect(copy.get_by_role("switch", name="Active")).to_have_attribute("aria-checked", "false")
    expect(row(user_page, name)).to_be_visible()


def test_delete_asks_first(user_page: Any) -> None:
    name = unique("Doomed")
    create(user_page, name).get_by_role("button", name="Delete").click()
    dialog = user_page.get_by_role("dialog", name="Delete scenario")
    expect(dialog).to_contain_text(name)
    dialog.get_by_role("button", name="Cancel").click()
    expect(row(user_page, name)).to_be_visible()
    row(user_page, name).get_by_role("button", name="Delete").click()
    dialog.get_by_role("button", name="Delete").click()
    expect(row(user_page, name)).to_have_count(0)


def test_search_narrows_the_list(user_page: Any) -> None:
    tag = unique("Zebra")
    create(user_page, f"{tag} invoices")
    create(user_page, f"{tag} payroll")
    search = user_page.get_by_role("searchbox", name="Search scenarios")
    search.fill(f"{tag.lower()} INVOICES")
    expect(row(user_page, f"{tag} invoices")).to_be_visible()
    expect(row(user_page, f"{tag} payroll")).to_have_count(0)
    search.fill("nothing is called like this")
    expect(user_page.get_by_text("No scenario matches")).to_be_visible()


def test_the_last_run_shows_its_time_and_status(user_page: Any) -> None:
    name = unique("Ran once")
    link = create(user_page, name).get_by_role("link", name=name)
    scenario_id = link.get_attribute("href").rsplit("/", 1)[1]
    csrf = user_page.request.get("/api/v1/auth/me").json()["csrf_token"]
    ran = user_page.request.post(f"/api/v1/scenarios/{scenario_id}/run?wait=true", data={"input": {"id": 1}},
                                 headers={"X-CSRF-Token": csrf})
    assert ran.status == 200, ran.text()
    user_page.reload()
    last_run = row(user_page, name).get_by_role("cell").nth(3)
    expect(last_run).to_contain_text("Success")
    expect(last_run).to_contain_text(re.compile(r"\d{1,2}:\d{2}"))


def test_operations_this_month_count_the_runs(user_page: Any) -> None:
    name = unique("Counted")
    link = create(user_page, name).get_by_role("link", name=name)
    scenario_id = link.get_attribute("href").rsplit("/", 1)[1]
    header = user_page.get_by_role("columnheader", name="Operations this month")
    expect(header).to_be_visible()
    expect(row(user_page, name).get_by_role("cell").nth(4)).to_have_text("0")
    csrf = user_page.request.get("/api/v1/auth/me").json()["csrf_token"]
    total = 0
    for n in range(2):
        ran = user_page.request.post(f"/api/v1/scenarios/{scenario_id}/run?wait=true", data={"input": {"id": n}},
                                     headers={"X-CSRF-Token": csrf})
        assert ran.status == 200, ran.text()
        total += ran.json()["operations"]
    user_page.reload()
    expect(row(user_page, name).get_by_role("cell").nth(4)).to_have_text(str(total))
