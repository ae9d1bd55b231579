"""Run once on the history page (`/scenarios/{id}/history`): the dialog "Run once" with a sample input or
waiting for the webhook, the live run's bubbles growing, the operations' output, and the outputs for
mapping; screenshots tests/web/artifacts/run-once.png and mapping-panel.png."""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.browser import PageGuard, Server, log_in, register
from tests.web.conftest import new_context

ARTIFACTS = Path(__file__).parent / "artifacts"
_names = itertools.count(1)


def shape_definition() -> dict[str, Any]:
    return {
        "name": f"Orders {next(_names)}", "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [
            {"id": "shape", "module": "tools.set_variables", "params": {"variables": {
                "customer": "{{ hook.body.customer | upper }}", "lines": "{{ hook.body.lines | length }}"}}},
            {"id": "items", "module": "flow.iterator", "params": {"array": "{{ hook.body.lines }}"}},
        ],
    }


def slow_definition() -> dict[str, Any]:
    return {
        "name": f"Slow {next(_names)}", "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [
            {"id": "items", "module": "flow.iterator", "params": {"array": "{{ hook.body.items }}"}},
            {"id": "wait", "module": "tools.sleep", "params": {"seconds": 0.7}},
        ],
    }


class Api:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.csrf = page.request.get("/api/v1/auth/me").json()["csrf_token"]

    def post(self, path: str, data: Any = None) -> Any:
        answer = self.page.request.post(f"/api/v1{path}", data=data, headers={"X-CSRF-Token": self.csrf})
        assert answer.ok, answer.text()
        return answer.json()

    def get(self, path: str) -> Any:
        answer = self.page.request.get(f"/api/v1{path}")
        assert answer.ok, answer.text()
        return answer.json()


@pytest.fixture
def user_page(browser: Any, ui_server: Server) -> Iterator[Any]:
    """A fresh account, logged in; fails the test on any CSP violation."""
    context = new_context(browser, ui_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    guard = PageGuard()
    page = context.new_page()
    guard.watch(page)
    log_in(page, register(ui_server))
    yield page
    violations = guard.violations(page)
    context.close()
    assert not violations, f"CSP violations: {violations}"


def open_dialog(page: Any, scenario_id: str) -> Any:
    page.goto(f"/scenarios/{scenario_id}/history")
    page.get_by_role("button", name="Run once").click()
    dialog = page.get_by_role("dialog", name="Run once")
    expect(dialog).to_be_visible()
    return dialog


def step(page: Any, step_id: str) -> Any:
    return page.get_by_role("region", name="Scenario canvas").get_by_role("group", name=f"Step {step_id}", exact=True)


def result(page: Any) -> Any:
    return page.get_by_role("region", name="Run once result")


def test_run_once_with_sample_input_shows_the_execution_and_its_bubbles(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.post("/scenarios", shape_definition())["id"]
    dialog = open_dialog(user_page, scenario_id)
    field = dialog.get_by_role("textbox", name="Sample input")
    expect(field).to_have_value("{}")  # never ran: an empty object
    field.fill(json.dumps({"customer": "ada", "lines": [{"sku": "A-1"}, {"sku": "B-2"}]}))
    dialog.get_by_role("button", name="Run", exact=True).click()
    expect(dialog).to_be_hidden()
    live = result(user_page)
    expect(live.get_by_role("status").first).to_have_text("The run has finished.")
    expect(step(user_page, "hook").get_by_role("button", name="1 operation, success")).to_be_visible()
    expect(step(user_page, "shape").get_by_role("button", name="1 operation, success")).to_be_visible()
    expect(step(user_page, "items").get_by_role("button", name="1 operation, success")).to_be_visible()  # one bundle in
    step(user_page, "shape").get_by_role("button", name="1 operation, success").click()
    output = user_page.get_by_role("region", name="Operations").get_by_role("group", name="Operation 1") \
        .get_by_role("group", name="Output")
    expect(output).to_contain_text('"ADA"')
    ARTIFACTS.mkdir(exist_ok=True)
    user_page.screenshot(path=str(ARTIFACTS / "run-once.png"), full_page=True)
    # the history below lists the new run
    expect(user_page.get_by_role("table").get_by_role("link")).to_have_count(1)


def test_the_outputs_of_the_run_are_offered_for_mapping(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.post("/scenarios", shape_definition())["id"]
    dialog = open_dialog(user_page, scenario_id)
    dialog.get_by_role("textbox", name="Sample input").fill('{"customer": "bo", "lines": [{"sku": "C-3"}]}')
    dialog.get_by_role("button", name="Run", exact=True).click()
    mapping = user_page.get_by_role("region", name="Outputs available for mapping")
    mapping.get_by_role("button", name="Expand hook.body.lines[0]").click()  # two levels are open
    expect(mapping.get_by_role("button", name="Insert hook.body.lines[0].sku")).to_be_visible()
    expect(mapping.get_by_role("button", name="Insert shape.customer")).to_contain_text("BO")
    expect(mapping.get_by_role("button", name="Insert items.value.sku")).to_contain_text("C-3")  # one bundle
    mapping.get_by_role("button", name="Insert hook.body.lines[0].sku").click()
    expect(mapping.get_by_role("status").last).to_have_text("Picked: {{ hook.body.lines[0].sku }}")
    expect(mapping.locator(".expr-step")).to_have_text("hook.body.lines[0].sku")
    search = mapping.get_by_role("searchbox", name="Search functions")
    search.fill("formatDate")
    functions = mapping.get_by_role("list", name="Functions")
    expect(functions.get_by_role("button", name="Insert formatDate")).to_contain_text("formatDate(date, format")
    functions.get_by_role("button", name="Insert formatDate").click()
    expect(mapping.get_by_role("status").last).to_have_text("Picked: formatDate(")
    search.fill("")
    mapping.get_by_role("button", name="Insert shape.customer").click()
    mapping.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    mapping.screenshot(path=str(ARTIFACTS / "mapping-panel.png"))


def test_the_sample_input_is_prefilled_with_the_last_input(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.post("/scenarios", shape_definition())["id"]
    api.post(f"/scenarios/{scenario_id}/run?wait=true", {"input": {"customer": "last one", "lines": []}})
    dialog = open_dialog(user_page, scenario_id)
    field = dialog.get_by_role("textbox", name="Sample input")
    expect(field).to_have_value(re.compile(r'"customer": "last one"'))
    assert json.loads(field.input_value()) == {"customer": "last one", "lines": []}


def test_invalid_json_is_refused_at_the_field(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.post("/scenarios", shape_definition())["id"]
    dialog = open_dialog(user_page, scenario_id)
    field = dialog.get_by_role("textbox", name="Sample input")
    field.fill("{customer: ada")
    dialog.get_by_role("button", name="Run", exact=True).click()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(dialog.get_by_text("This is not valid JSON")).to_be_visible()
    expect(field).to_have_accessible_description(re.compile("This is not valid JSON"))
    assert api.get(f"/scenarios/{scenario_id}/executions") == []  # nothing was run
    field.fill('{"customer": "fixed", "lines": []}')
    expect(field).not_to_have_attribute("aria-invalid", "true")


def test_waiting_for_the_webhook_goes_live_on_the_next_request(user_page: Any) -> None:
    api = Api(user_page)
    scenario = api.post("/scenarios", shape_definition())
    dialog = open_dialog(user_page, scenario["id"])
    expect(dialog.get_by_text(scenario["webhook_url"])).to_be_visible()
    expect(dialog).to_contain_text("The scenario is inactive")
    dialog.get_by_role("button", name="Copy").click()
    expect(dialog.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert user_page.evaluate("navigator.clipboard.readText()") == scenario["webhook_url"]
    dialog.get_by_role("button", name="Wait for webhook").click()
    expect(dialog.get_by_text("Waiting for a request to the webhook URL")).to_be_visible()
    user_page.wait_for_timeout(300)  # the stream is open once the waiting shows; leave it a moment
    answer = httpx.post(scenario["webhook_url"], json={"customer": "from the hook", "lines": [{"sku": "W"}]})
    assert answer.status_code == 200
    expect(dialog).to_be_hidden()
    expect(result(user_page).get_by_role("status").first).to_have_text("The run has finished.")
    expect(step(user_page, "shape").get_by_role("button", name="1 operation, success")).to_be_visible()
    step(user_page, "shape").get_by_role("button", name="1 operation, success").click()
    expect(user_page.get_by_role("region", name="Operations")).to_contain_text('"FROM THE HOOK"')


def test_bubbles_appear_while_a_slow_run_goes_on(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.post("/scenarios", slow_definition())["id"]
    dialog = open_dialog(user_page, scenario_id)
    dialog.get_by_role("textbox", name="Sample input").fill('{"items": [1, 2, 3, 4]}')
    dialog.get_by_role("button", name="Run", exact=True).click()
    wait_bubble = step(user_page, "wait").get_by_role("button", name=re.compile(r"^[1-3] operations?, success$"))
    expect(wait_bubble).to_be_visible(timeout=5000)
    expect(result(user_page).get_by_role("status").first).to_contain_text("Running")  # not finished yet
    expect(step(user_page, "wait").get_by_role("button", name="4 operations, success")).to_be_visible(timeout=10000)
    expect(result(user_page).get_by_role("status").first).to_have_text("The run has finished.")


def test_the_wait_stops_when_the_dialog_closes(user_page: Any) -> None:
    api = Api(user_page)
    scenario = api.post("/scenarios", shape_definition())
    dialog = open_dialog(user_page, scenario["id"])
    dialog.get_by_role("button", name="Wait for webhook").click()
    expect(dialog.get_by_role("button", name="Stop waiting")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    done = threading.Event()
    threading.Thread(target=lambda: (httpx.post(scenario["webhook_url"], json={"lines": []}), done.set())).start()
    assert done.wait(10)
    user_page.wait_for_timeout(500)
    expect(result(user_page)).to_have_count(0)  # nothing went live
