"""The editor's panels at /scenarios/{id}/settings: the filter's condition builder and raw expression, the
schedule with the cron preview, the settings, and the versions with their diff and restore."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.browser import ARTIFACTS, Account, PageGuard, Server, log_in, register
from tests.web.conftest import new_context

_names = itertools.count(1)


def definition(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "trigger": {"id": "hook", "module": "webhooks.custom", "params": {}},
        "schedule": {"type": "immediately"},
        "flow": [
            {"id": "shape", "module": "tools.set_variables",
             "params": {"variables": {"amount": "{{ hook.body.amount }}"}}},
            {"id": "answer", "module": "webhooks.respond", "params": {"body": {"passed": True}}},
        ],
    }


@pytest.fixture(scope="module")
def account(ui_server: Server) -> Account:
    return register(ui_server)


@pytest.fixture(scope="module")
def api(ui_server: Server, account: Account) -> Iterator[httpx.Client]:
    """The module's account through the API, with a bearer token."""
    with ui_server.api() as http:
        login = http.post("/api/v1/auth/login", json={"email": account.email, "password": account.password})
        assert login.status_code == 200, login.text
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        token = http.post("/api/v1/tokens", json={"name": "panels"}, headers=csrf)
        assert token.status_code == 201, token.text
        http.cookies.clear()
        http.headers["Authorization"] = f"Bearer {token.json()['token']}"
        yield http


@pytest.fixture(scope="module")
def session_state(browser: Any, ui_server: Server, account: Account) -> Any:
    context = new_context(browser, ui_server)
    page = context.new_page()
    log_in(page, account)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def user_page(browser: Any, ui_server: Server, session_state: Any) -> Iterator[Any]:
    context = new_context(browser, ui_server, storage_state=session_state)
    guard = PageGuard()
    page = context.new_page()
    guard.watch(page)
    yield page
    violations = guard.violations(page)
    context.close()
    assert not violations, f"CSP violations: {violations}"


def create(api: httpx.Client, label: str = "Panels") -> str:
    answer = api.post("/api/v1/scenarios", json=definition(f"{label} {next(_names)}"))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def open_settings(page: Any, scenario_id: str) -> None:
    page.goto(f"/scenarios/{scenario_id}/settings")
    expect(page.get_by_role("heading", name=re.compile("^Settings of "), level=1)).to_be_visible()


def save(page: Any) -> None:
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()


def stored(api: httpx.Client, scenario_id: str) -> dict[str, Any]:
    answer = api.get(f"/api/v1/scenarios/{scenario_id}")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()["definition"]
    return found


def condition(dialog: Any, n: int) -> Any:
    return dialog.get_by_role("group", name=f"Condition {n}", exact=True)


def fill_row(dialog: Any, n: int, a: str, operator: str, b: str | None = None) -> None:
    row = condition(dialog, n)
    row.get_by_role("textbox", name="First operand").fill(a)
    row.get_by_role("combobox", name="Operator").select_option(label=operator)
    if b is not None:
        row.get_by_role("textbox", name="Second operand").fill(b)


def step_status(api: httpx.Client, scenario_id: str, body: dict[str, Any], step: str) -> list[str]:
    run = api.post(f"/api/v1/scenarios/{scenario_id}/run?wait=true", json={"input": body})
    assert run.status_code == 200, run.text
    return [entry["status"] for entry in run.json()["log"] if entry["step"] == step]


def test_a_structured_filter_built_in_the_condition_builder_is_saved_and_filters_runs(
        user_page: Any, api: httpx.Client) -> None:
    page = user_page
    sid = create(api)
    open_settings(page, sid)
    steps = page.get_by_role("list", name="Steps")
    expect(steps.get_by_role("listitem")).to_have_count(2)
    page.get_by_role("button", name="Edit filter of answer").click()
    dialog = page.get_by_role("dialog", name="Filter of answer")
    fill_row(dialog, 1, "{{ shape.amount }}", "Number: Greater than", "10")
    dialog.get_by_role("button", name="Add condition").click()
    fill_row(dialog, 2, "{{ hook.body.status }}", "Text: Not equal to (any case)", "cancelled")
    dialog.get_by_role("button", name="Add OR group").click()
    fill_row(dialog, 3, "{{ hook.body.vip }}", "Boolean: Equal to", "true")
    expect(dialog.locator("p").filter(has_text="The link reads:")).to_contain_text("amount > 10 and status")
    ARTIFACTS.mkdir(exist_ok=True)
    dialog.screenshot(path=str(ARTIFACTS / "editor-filter.png"))
    dialog.get_by_role("button", name="Apply").click()
    expect(dialog).to_be_hidden()
    expect(steps).to_contain_text("Filter: (amount > 10 and status")
    save(page)

    assert stored(api, sid)["flow"][1]["filter"] == {"conditions": [
        [{"a": "{{ shape.amount }}", "o": "number:greater", "b": 10},
         {"a": "{{ hook.body.status }}", "o": "text:notequal:ci", "b": "cancelled"}],
        [{"a": "{{ hook.body.vip }}", "o": "boolean:equal", "b": "true"}],
    ]}
    assert step_status(api, sid, {"amount": 50, "status": "open"}, "answer") == ["success"]
    assert step_status(api, sid, {"amount": 50, "status": "Cancelled"}, "answer") in ([], ["filtered"])
    assert step_status(api, sid, {"amount": 5, "vip": True}, "answer") == ["success"]


def test_empty_operands_and_removed_rows(user_page: Any, api: httpx.Client) -> None:
    page = user_page
    open_settings(page, create(api))
    page.get_by_role("button", name="Edit filter of shape").click()
    dialog = page.get_by_role("dialog", name="Filter of shape")
    dialog.get_by_role("button", name="Apply").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Condition 1: the first operand is empty.")
    dialog.get_by_role("button", name="Add condition").click()
    fill_row(dialog, 2, "{{ hook.body.id }}", "Basic: Exists")
    expect(condition(dialog, 2).get_by_role("textbox", name="Second operand")).to_have_count(0)
    dialog.get_by_role("button", name="Remove condition 1").click()
    dialog.get_by_role("textbox", name="Label").fill("has an id")
    dialog.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("list", name="Steps")).to_contain_text("Filter: has an id")


def test_switching_to_a_raw_expression_and_back(user_page: Any, api: httpx.Client) -> None:
    page = user_page
    sid = create(api)
    open_settings(page, sid)
    page.get_by_role("button", name="Edit filter of answer").click()
    dialog = page.get_by_role("dialog", name="Filter of answer")
    fill_row(dialog, 1, "{{ shape.amount }}", "Number: Greater than", "10")
    raw = dialog.get_by_role("switch", name="Raw expression")
    raw.click()
    expect(raw).to_have_attribute("aria-checked", "true")
    expression = dialog.get_by_role("textbox", name="Condition expression")
    expect(expression).to_have_value("{{ shape.amount > 10 }}")
    expression.fill("{{ shape.amount >= 20 and hook.body.tags | length > 1 }}")
    raw.click()
    expect(raw).to_have_attribute("aria-checked", "false")
    expect(condition(dialog, 1).get_by_role("textbox", name="First operand")).to_have_value("{{ shape.amount }}")
    expect(condition(dialog, 1).get_by_role("combobox", name="Operator")).to_have_value("number:greaterorequal")
    expect(condition(dialog, 1).get_by_role("textbox", name="Second operand")).to_have_value("20")
    expect(condition(dialog, 2).get_by_role("combobox", name="Operator")).to_have_value("array:greater")

    raw.click()
    expression.fill("{{ shape.amount }}")
    raw.click()
    expect(dialog.get_by_role("alert")).to_contain_text("keep the raw expression")
    expect(raw).to_have_attribute("aria-checked", "true")
    dialog.get_by_role("button", name="Apply").click()
    save(page)
    assert stored(api, sid)["flow"][1]["filter"] == {"condition": "{{ shape.amount }}"}
    assert step_status(api, sid, {"amount": 0}, "answer") in ([], ["filtered"])
    assert step_status(api, sid, {"amount": 3}, "answer") == ["success"]


def test_an_operator_without_an_expression_form_keeps_the_builder(user_page: Any, api: httpx.Client) -> None:
    page = user_page
    open_settings(page, create(api))
    page.get_by_role("button", name="Edit filter of answer").click()
    dialog = page.get_by_role("dialog", name="Filter of answer")
    fill_row(dialog, 1, "{{ hook.body.at }}", "Date: Before", "2026-01-01")
    dialog.get_by_role("switch", name="Raw expression").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Condition 1 (datetime:before")
    expect(dialog.get_by_role("switch", name="Raw expression")).to_have_attribute("aria-checked", "false")


def test_interval_and_cron_schedules_with_the_next_five_runs(user_page: Any, api: httpx.Client) -> None:
    page = user_page
    sid = create(api)
    open_settings(page, sid)
    schedule = page.get_by_role("region", name="Schedule")
    expect(schedule.get_by_role("radiogroup", name="Schedule")).to_be_visible()
    schedule.get_by_role("radio", name="Interval").check()
    schedule.get_by_role("spinbutton", name="Interval in minutes").fill("30")
    expect(schedule).to_contain_text("then every 30 minutes")
    save(page)
    assert stored(api, sid)["schedule"] == {"type": "interval", "minutes": 30}

    schedule.get_by_role("radio", name="Cron").check()
    schedule.get_by_role("textbox", name="Cron expression").fill("61 * * * *")
    expect(schedule.get_by_role("alert")).to_contain_text("(field: schedule.expression)")
    schedule.get_by_role("textbox", name="Cron expression").fill("30 9 * * 1-5")
    schedule.get_by_role("combobox", name="Time zone").select_option("Europe/Prague")
    runs = schedule.get_by_role("list", name="Next runs").get_by_role("listitem")
    expect(runs).to_have_count(5)
    for text in runs.all_inner_texts():
        assert "09:30" in text and re.search(r"\b(Mon|Tue|Wed|Thu|Fri)\b", text), text
    save(page)
    assert stored(api, sid)["schedule"] == {"type": "cron", "expression": "30 9 * * 1-5", "timezone": "Europe/Prague"}
    schedule.get_by_role("radio", name="On demand").check()
    expect(schedule.get_by_role("list", name="Next runs")).to_have_count(0)


def test_settings_are_saved(user_page: Any, api: httpx.Client) -> None:
    page = user_page
    sid = create(api)
    open_settings(page, sid)
    settings = page.get_by_role("region", name="Settings")
    confidential = settings.get_by_role("checkbox", name="Confidential")
    expect(confidential).not_to_be_checked()
    expect(settings.get_by_role("checkbox", name="Store incomplete executions")).to_be_checked()
    confidential.check()
    settings.get_by_role("spinbutton", name="Max consecutive errors").fill("5")
    settings.get_by_role("combobox", name="Time zone").select_option("Europe/Prague")
    expect(page.get_by_text("Unsaved changes")).to_be_visible()
    save(page)
    assert stored(api, sid)["settings"] == {"confidential": True, "max_consecutive_errors": 5,
                                            "timezone": "Europe/Prague"} | stored(api, sid)["settings"]
    page.reload()
    expect(page.get_by_role("region", name="Settings").get_by_role("checkbox", name="Confidential")).to_be_checked()


def test_a_save_that_the_api_refuses_shows_its_message_and_path(user_page: Any, api: httpx.Client) -> None:
    page = user_page
    open_settings(page, create(api))
    page.get_by_role("region", name="Schedule").get_by_role("radio", name="Cron").check()
    page.get_by_role("region", name="Schedule").get_by_role("textbox", name="Cron expression").fill("nonsense")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="(field: schedule.expression)").first).to_be_visible()


def test_two_versions_compared_and_the_older_one_restored(user_page: Any, api: httpx.Client) -> None:
    page = user_page
    sid = create(api, "Versioned")
    open_settings(page, sid)
    settings = page.get_by_role("region", name="Settings")
    settings.get_by_role("checkbox", name="Confidential").check()
    save(page)
    settings.get_by_role("spinbutton", name="Max consecutive errors").fill("7")
    save(page)
    versions = page.get_by_role("region", name="Versions")
    items = versions.get_by_role("list", name="Versions").get_by_role("listitem")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("Version 3 (current)")
    compare = versions.get_by_role("button", name="Compare")
    expect(compare).to_be_disabled()
    versions.get_by_role("checkbox", name="Version 1").check()
    versions.get_by_role("checkbox", name="Version 3").check()
    compare.click()
    diff = versions.get_by_role("region", name="Changes from version 1 to version 3")
    expect(diff).to_be_visible()
    added = diff.get_by_role("listitem").filter(has_text="Added:")
    expect(added.filter(has_text='"confidential": true')).to_have_count(1)
    expect(added.filter(has_text='"max_consecutive_errors": 7')).to_have_count(1)
    versions.screenshot(path=str(ARTIFACTS / "editor-diff.png"))

    versions.get_by_role("button", name="Restore version 1").click()
    dialog = page.get_by_role("dialog", name="Restore version 1?")
    dialog.get_by_role("button", name="Restore").click()
    expect(dialog).to_be_hidden()
    expect(versions.get_by_role("status")).to_contain_text("Version 1 restored")
    expect(items).to_have_count(4)
    expect(settings.get_by_role("checkbox", name="Confidential")).not_to_be_checked()
    assert "settings" not in stored(api, sid) or not stored(api, sid)["settings"].get("confidential")
