"""The incomplete executions page: the list with scenario, step, error, attempts and next retry; retry and
delete one at a time and a selection; the loading and empty states."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser import PageGuard, Server, first_held, log_in, register
from tests.web.conftest import new_context
from tests.web.test_accessibility import check

_names = itertools.count(1)


def failing_definition(name: str) -> dict[str, Any]:
    """A webhook scenario whose json.parse step fails on text that is not JSON: an incomplete execution."""
    return {
        "name": name,
        "trigger": {"id": "hook", "module": "webhooks.custom"},
        "schedule": {"type": "immediately"},
        "flow": [{"id": "parse", "module": "json.parse", "params": {"json": "{{ hook.body.text }}"}}],
    }


class Api:
    """The page's own session, used through the API to set the scene."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.csrf = page.request.get("/api/v1/auth/me").json()["csrf_token"]

    def post(self, path: str, data: Any = None) -> Any:
        answer = self.page.request.post(f"/api/v1{path}", data=data, headers={"X-CSRF-Token": self.csrf})
        assert answer.ok, answer.text()
        return answer.json()

    def failing_scenario(self, name: str, runs: int = 1) -> str:
        scenario_id: str = self.post("/scenarios", failing_definition(name))["id"]
        for _ in range(runs):
            run = self.post(f"/scenarios/{scenario_id}/run?wait=true", {"input": {"text": "{ not JSON"}})
            assert run["status"] == "incomplete", run
        return scenario_id


@pytest.fixture
def user_page(browser: Any, ui_server: Server) -> Iterator[Any]:
    """A fresh account, logged in; fails the test on any CSP violation."""
    context = new_context(browser, ui_server)
    guard = PageGuard()
    page = context.new_page()
    guard.watch(page)
    log_in(page, register(ui_server))
    yield page
    violations = guard.violations(page)
    context.close()
    assert not violations, f"CSP violations: {violations}"


def open_list(page: Any) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incomplete executions").click()
    expect(page.get_by_role("heading", name="Incomplete executions", level=1)).to_be_visible()


def rows(page: Any, name: str) -> Any:
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def test_the_empty_state_says_what_lands_here(user_page: Any) -> None:
    open_list(user_page)
    expect(user_page.get_by_role("heading", name="No incomplete executions")).to_be_visible()
    expect(user_page.get_by_text("retry it from the failed step")).to_be_visible()
    check(user_page, "incomplete-executions-empty")


def test_the_loading_state_is_said(user_page: Any) -> None:
    held: list[Any] = []
    user_page.route("**/api/v1/incomplete-executions", lambda route: held.append(route))
    open_list(user_page)
    expect(user_page.get_by_role("status").filter(has_text="Loading incomplete executions")).to_be_visible()
    first_held(user_page, held, "the list").continue_()
    expect(user_page.get_by_role("heading", name="No incomplete executions")).to_be_visible()


def test_the_list_shows_scenario_step_error_attempts_and_next_retry(user_page: Any) -> None:
    name = f"Parse orders {next(_names)}"
    scenario_id = Api(user_page).failing_scenario(name)
    open_list(user_page)
    row = rows(user_page, name)
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text("parse")  # the step
    expect(row.get_by_role("cell").nth(2)).not_to_be_empty()  # the error
    expect(row).to_contain_text("JSON")
    expect(row.get_by_role("cell").nth(3)).to_have_text("0")  # attempts
    expect(row.get_by_role("cell").nth(4)).to_have_text("Manual only")  # next retry
    check(user_page, "incomplete-executions")
    row.get_by_role("link", name=name).click()
    expect(user_page.get_by_role("heading", name=name, level=1)).to_be_visible()
    assert user_page.url.endswith(f"/scenarios/{scenario_id}")


def test_retry_one_counts_an_attempt_when_it_fails_again(user_page: Any) -> None:
    name = f"Parse again {next(_names)}"
    Api(user_page).failing_scenario(name)
    open_list(user_page)
    row = rows(user_page, name)
    row.get_by_role("button", name="Retry").click()
    expect(user_page.get_by_role("status").filter(has_text="The retry failed again.")).to_be_visible()
    expect(row.get_by_role("cell").nth(3)).to_have_text("1")


def test_delete_one_asks_first(user_page: Any) -> None:
    api = Api(user_page)
    doomed, kept = f"Doomed {next(_names)}", f"Kept {next(_names)}"
    api.failing_scenario(doomed)
    api.failing_scenario(kept)
    open_list(user_page)
    rows(user_page, doomed).get_by_role("button", name="Delete").click()
    dialog = user_page.get_by_role("dialog", name="Delete incomplete executions")
    expect(dialog).to_contain_text("Delete 1 incomplete execution?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(rows(user_page, doomed)).to_have_count(1)
    rows(user_page, doomed).get_by_role("button", name="Delete").click()
    dialog.get_by_role("button", name="Delete").click()
    expect(rows(user_page, doomed)).to_have_count(0)
    expect(rows(user_page, kept)).to_have_count(1)
    user_page.reload()
    expect(rows(user_page, kept)).to_have_count(1)
    expect(rows(user_page, doomed)).to_have_count(0)


def test_retry_and_delete_a_selection(user_page: Any) -> None:
    api = Api(user_page)
    first, second, other = (f"{label} {next(_names)}" for label in ("First", "Second", "Other"))
    api.failing_scenario(first)
    api.failing_scenario(second)
    api.failing_scenario(other)
    open_list(user_page)
    expect(user_page.get_by_role("button", name="Retry selected")).to_be_disabled()
    rows(user_page, first).get_by_role("checkbox").check()
    rows(user_page, second).get_by_role("checkbox").check()
    expect(user_page.get_by_text("2 of 3 incomplete executions selected")).to_be_visible()
    check(user_page, "incomplete-executions-selected")
    user_page.get_by_role("button", name="Retry selected").click()
    expect(user_page.get_by_role("status").filter(has_text="Retried 2: 0 succeeded, 2 failed again.")).to_be_visible()
    for name, attempts in ((first, "1"), (second, "1"), (other, "0")):
        expect(rows(user_page, name).get_by_role("cell").nth(3)).to_have_text(attempts)
    rows(user_page, first).get_by_role("checkbox").check()
    rows(user_page, other).get_by_role("checkbox").check()
    user_page.get_by_role("button", name="Delete selected").click()
    dialog = user_page.get_by_role("dialog", name="Delete incomplete executions")
    expect(dialog).to_contain_text("Delete 2 incomplete executions?")
    check(user_page, "incomplete-executions-delete-dialog")
    dialog.get_by_role("button", name="Delete").click()
    expect(rows(user_page, first)).to_have_count(0)
    expect(rows(user_page, other)).to_have_count(0)
    expect(rows(user_page, second)).to_have_count(1)
    user_page.get_by_role("checkbox", name="Select all").check()
    user_page.get_by_role("button", name="Delete selected").click()
    dialog.get_by_role("button", name="Delete").click()
    expect(user_page.get_by_role("heading", name="No incomplete executions")).to_be_visible()


def test_the_page_on_a_phone(browser: Any, ui_server: Server) -> None:
    context = new_context(browser, ui_server, viewport={"width": 390, "height": 844})
    guard = PageGuard()
    page = context.new_page()
    guard.watch(page)
    log_in(page, register(ui_server))
    name = f"Phone {next(_names)}"
    Api(page).failing_scenario(name)
    page.goto("/incomplete-executions")
    expect(rows(page, name)).to_have_count(1)
    check(page, "incomplete-executions-390")
    violations = guard.violations(page)
    context.close()
    assert not violations, f"CSP violations: {violations}"
