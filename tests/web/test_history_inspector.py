"""The history of a scenario's runs (`/scenarios/{id}/history`) and the inspector of one run
(`/scenarios/{id}?execution=...`): columns, newest first, the status filter, paging, the bubbles, the
operations' data, the failed step, confidential runs, and the read-only canvas's module names."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser import PageGuard, Server, first_held, log_in, register
from tests.web.conftest import new_context

_names = itertools.count(1)
PAGE_SIZE = 20  # the history's page (web/src/features/executions/api/history.ts)


def parse_definition(name: str, *, confidential: bool = False) -> dict[str, Any]:
    """A webhook scenario that parses `text` as JSON: valid JSON succeeds, anything else is a DataError."""
    return {
        "name": name,
        "trigger": {"id": "hook", "module": "webhooks.custom"},
        "schedule": {"type": "immediately"},
        "flow": [{"id": "parse", "module": "json.parse", "params": {"json": "{{ hook.body.text }}"}}],
        "settings": {"confidential": confidential},
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

    def scenario(self, definition: dict[str, Any]) -> str:
        scenario_id: str = self.post("/scenarios", definition)["id"]
        return scenario_id

    def run(self, scenario_id: str, text: str) -> dict[str, Any]:
        run: dict[str, Any] = self.post(f"/scenarios/{scenario_id}/run?wait=true", {"input": {"text": text}})
        return run


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


def body_rows(page: Any) -> Any:
    return page.get_by_role("table").get_by_role("row").filter(has=page.get_by_role("link"))


def open_history(page: Any, scenario_id: str) -> None:
    page.goto(f"/scenarios/{scenario_id}/history")
    expect(page.get_by_role("heading", name="History of", level=1)).to_be_visible()


def step(page: Any, step_id: str) -> Any:
    return page.get_by_role("region", name="Scenario canvas").get_by_role("group", name=f"Step {step_id}", exact=True)


def test_the_scenario_page_links_to_its_history(user_page: Any) -> None:
    name = f"Linked {next(_names)}"
    scenario_id = Api(user_page).scenario(parse_definition(name))
    user_page.goto(f"/scenarios/{scenario_id}")
    user_page.get_by_role("link", name="History", exact=True).click()
    expect(user_page.get_by_role("heading", name=f"History of {name}", level=1)).to_be_visible()
    assert user_page.url.endswith(f"/scenarios/{scenario_id}/history")


def test_history_lists_runs_newest_first_with_the_columns(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.scenario(parse_definition(f"Columns {next(_names)}"))
    assert api.run(scenario_id, '{"a": 1}')["status"] == "success"
    assert api.run(scenario_id, "{ not JSON")["status"] == "incomplete"
    open_history(user_page, scenario_id)
    headers = user_page.get_by_role("columnheader")
    for column in ("Status", "Started", "Duration", "Operations", "Error"):
        expect(headers.filter(has_text=column)).to_have_count(1)
    rows = body_rows(user_page)
    expect(rows).to_have_count(2)
    newest, oldest = rows.nth(0), rows.nth(1)
    expect(newest.get_by_role("cell").nth(0)).to_have_text("Incomplete")
    expect(newest.get_by_role("cell").nth(3)).to_have_text("DataError")
    expect(oldest.get_by_role("cell").nth(0)).to_have_text("Success")
    expect(oldest.get_by_role("cell").nth(2)).to_have_text("2")  # the trigger and the step
    expect(oldest.get_by_role("cell").nth(1)).to_contain_text("ms")  # the duration
    expect(oldest.get_by_role("cell").nth(3)).to_have_text("None")


def test_the_status_filter_shows_only_runs_of_that_status(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.scenario(parse_definition(f"Filter {next(_names)}"))
    for text in ('{"a": 1}', "{ bad", '{"b": 2}'):
        api.run(scenario_id, text)
    open_history(user_page, scenario_id)
    expect(body_rows(user_page)).to_have_count(3)
    user_page.get_by_role("combobox", name="Status").select_option(label="Incomplete")
    expect(body_rows(user_page)).to_have_count(1)
    expect(body_rows(user_page).get_by_role("cell").nth(0)).to_have_text("Incomplete")
    assert "status=incomplete" in user_page.url
    user_page.get_by_role("combobox", name="Status").select_option(label="Cancelled")
    expect(user_page.get_by_text("No executions with the status Cancelled.")).to_be_visible()
    user_page.get_by_role("combobox", name="Status").select_option(label="All statuses")
    expect(body_rows(user_page)).to_have_count(3)


def test_older_runs_load_a_page_at_a_time(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.scenario(parse_definition(f"Paging {next(_names)}"))
    first = api.run(scenario_id, '{"first": true}')["id"]
    for n in range(PAGE_SIZE + 4):
        api.run(scenario_id, json.dumps({"n": n}))
    open_history(user_page, scenario_id)
    expect(body_rows(user_page)).to_have_count(PAGE_SIZE)
    older = user_page.get_by_role("button", name="Load older executions")
    older.click()
    expect(body_rows(user_page)).to_have_count(PAGE_SIZE + 5)
    expect(older).to_have_count(0)
    last_link = body_rows(user_page).nth(PAGE_SIZE + 4).get_by_role("link")
    assert last_link.get_attribute("href").endswith(f"?execution={first}")


def test_the_empty_history_says_how_to_get_a_run(user_page: Any) -> None:
    scenario_id = Api(user_page).scenario(parse_definition(f"Empty {next(_names)}"))
    open_history(user_page, scenario_id)
    expect(user_page.get_by_role("heading", name="No executions yet")).to_be_visible()
    expect(user_page.get_by_text("Run it once")).to_be_visible()


def test_the_history_says_while_it_loads(user_page: Any) -> None:
    scenario_id = Api(user_page).scenario(parse_definition(f"Slow {next(_names)}"))
    held: list[Any] = []
    user_page.route("**/api/v1/scenarios/*/executions*", lambda route: held.append(route))
    user_page.goto(f"/scenarios/{scenario_id}/history")
    expect(user_page.get_by_role("status").filter(has_text="Loading executions")).to_be_visible()
    first_held(user_page, held, "the history").continue_()
    expect(user_page.get_by_role("heading", name="No executions yet")).to_be_visible()


def test_a_row_opens_the_run_in_the_inspector(user_page: Any) -> None:
    api = Api(user_page)
    name = f"Open {next(_names)}"
    scenario_id = api.scenario(parse_definition(name))
    run = api.run(scenario_id, '{"a": 1}')
    open_history(user_page, scenario_id)
    body_rows(user_page).first.get_by_role("link").click()
    expect(user_page.get_by_role("heading", name=name, level=1)).to_be_visible()
    assert user_page.url.endswith(f"/scenarios/{scenario_id}?execution={run['id']}")
    summary = user_page.get_by_role("region", name="Execution")
    expect(summary).to_contain_text("Success")
    expect(summary).to_contain_text("Operations2")
    expect(summary).to_contain_text("ms")


def test_the_bubbles_show_each_steps_operation_count(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.scenario({
        "name": f"Bubbles {next(_names)}", "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [{"id": "each", "module": "flow.iterator", "params": {"array": "{{ hook.body.items }}"}},
                 {"id": "shape", "module": "tools.set_variables", "params": {"variables": {"v": "{{ each.value }}"}}}],
    })
    run = api.post(f"/scenarios/{scenario_id}/run?wait=true", {"input": {"items": [1, 2, 3]}})
    user_page.goto(f"/scenarios/{scenario_id}?execution={run['id']}")
    expect(step(user_page, "hook").get_by_role("button", name="1 operation, success")).to_be_visible()
    expect(step(user_page, "each").get_by_role("button", name="1 operation, success")).to_be_visible()
    expect(step(user_page, "shape").get_by_role("button", name="3 operations, success")).to_be_visible()


def test_an_operations_input_and_output_show_its_data(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.scenario(parse_definition(f"Data {next(_names)}"))
    run = api.run(scenario_id, '{"customer": {"name": "Ada", "tags": ["vip"]}}')
    user_page.goto(f"/scenarios/{scenario_id}?execution={run['id']}")
    step(user_page, "parse").get_by_role("button", name="1 operation").click()
    operations = user_page.get_by_role("region", name="Operations")
    expect(operations).to_be_visible()
    operation = operations.get_by_role("group", name="Operation 1")
    expect(operation.get_by_role("group", name="Input")).to_contain_text('"{\\"customer\\"')
    output = operation.get_by_role("group", name="Output")
    expect(output).to_contain_text('"Ada"')
    tags = output.get_by_role("button", name="tags [1 item]")
    expect(tags).to_have_attribute("aria-expanded", "false")  # the third level starts closed
    expect(output.get_by_text('"vip"')).to_be_hidden()
    tags.focus()
    user_page.keyboard.press("Enter")
    expect(tags).to_have_attribute("aria-expanded", "true")
    expect(output.get_by_text('"vip"')).to_be_visible()


def test_copy_puts_the_value_on_the_clipboard(user_page: Any) -> None:
    user_page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    api = Api(user_page)
    scenario_id = api.scenario(parse_definition(f"Copy {next(_names)}"))
    run = api.run(scenario_id, '{"customer": {"name": "Ada"}}')
    user_page.goto(f"/scenarios/{scenario_id}?execution={run['id']}")
    step(user_page, "parse").get_by_role("button", name="1 operation").click()
    output = user_page.get_by_role("region", name="Operations").get_by_role("group", name="Output")
    output.get_by_role("button", name="Copy Output customer", exact=True).click()
    expect(output.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert json.loads(user_page.evaluate("navigator.clipboard.readText()")) == {"name": "Ada"}


def test_the_failed_step_is_marked_with_its_error(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.scenario(parse_definition(f"Failed {next(_names)}"))
    run = api.run(scenario_id, "{ not JSON")
    user_page.goto(f"/scenarios/{scenario_id}?execution={run['id']}")
    expect(step(user_page, "parse")).to_contain_text("Failed: DataError")
    expect(step(user_page, "hook")).not_to_contain_text("Failed")
    summary = user_page.get_by_role("region", name="Execution")
    expect(summary).to_contain_text("Incomplete")
    expect(summary).to_contain_text("Failed at step parse: DataError: invalid JSON")
    step(user_page, "parse").get_by_role("button", name="1 operation, error").click()
    operation = user_page.get_by_role("region", name="Operations").get_by_role("group", name="Operation 1")
    expect(operation).to_contain_text("DataError: invalid JSON")


def test_a_confidential_run_says_no_data_was_kept(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.scenario(parse_definition(f"Secret {next(_names)}", confidential=True))
    run = api.run(scenario_id, '{"card": "4111"}')
    user_page.goto(f"/scenarios/{scenario_id}?execution={run['id']}")
    expect(user_page.get_by_role("region", name="Execution")).to_contain_text("no input or output data was kept")
    step(user_page, "parse").get_by_role("button", name="1 operation").click()
    operation = user_page.get_by_role("region", name="Operations").get_by_role("group", name="Operation 1")
    expect(operation.get_by_role("group", name="Input")).to_contain_text("Not kept")
    expect(operation.get_by_role("group", name="Output")).to_contain_text("Not kept")
    expect(operation).not_to_contain_text("4111")


def test_the_read_only_canvas_names_its_modules_by_id_and_label(user_page: Any) -> None:
    scenario_id = Api(user_page).scenario({
        "name": f"Canvas {next(_names)}", "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [
            {"id": "split", "router": [
                {"label": "big", "flow": [{"id": "parse", "module": "json.parse", "params": {"json": "{}"}}]},
                {"fallback": True,
                 "flow": [{"id": "shape", "module": "tools.set_variables", "params": {"variables": {}}}]},
            ]},
        ],
    })
    user_page.goto(f"/scenarios/{scenario_id}")
    canvas = user_page.get_by_role("region", name="Scenario canvas")
    for name in ("hook: Custom webhook", "parse: Parse JSON", "shape: Set variables"):
        expect(canvas.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(canvas.get_by_role("group", name="Router split")).to_be_visible()
    expect(canvas.get_by_text("big", exact=True)).to_be_visible()  # the route's label on its edge


def test_if_else_branches_merge_back_on_the_canvas(user_page: Any) -> None:
    scenario_id = Api(user_page).scenario({
        "name": f"Merge {next(_names)}", "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [
            {"id": "check", "if_else": [{"label": "paid", "condition": "{{ hook.body.paid }}",
                                         "flow": [{"id": "a", "module": "json.parse", "params": {"json": "{}"}}]}],
             "else": {"flow": [{"id": "b", "module": "json.parse", "params": {"json": "{}"}}]}},
            {"id": "after", "module": "tools.set_variables", "params": {"variables": {}}},
        ],
    })
    user_page.goto(f"/scenarios/{scenario_id}")
    canvas = user_page.get_by_role("region", name="Scenario canvas")
    expect(canvas.get_by_role("button", name="after: Set variables")).to_be_visible()
    expect(canvas.get_by_role("group", name="Merge", exact=True)).to_be_visible()
    for edge in ("From a to check:merge", "From b to check:merge", "From check:merge to after"):
        expect(canvas.get_by_role("img", name=edge)).to_have_count(1)


def test_the_inspector_is_operable_by_keyboard_with_visible_focus(user_page: Any) -> None:
    api = Api(user_page)
    scenario_id = api.scenario(parse_definition(f"Keys {next(_names)}"))
    run = api.run(scenario_id, '{"a": {"b": 1}}')
    user_page.goto(f"/scenarios/{scenario_id}?execution={run['id']}")
    expect(step(user_page, "parse").get_by_role("button", name="1 operation")).to_be_visible()
    wanted = {"hook: Custom webhook", "1 operation, success", "parse: Parse JSON", "Zoom In", "Zoom Out", "Fit View"}
    reached: set[str] = set()
    for _ in range(30):
        user_page.keyboard.press("Tab")
        name, outline = user_page.evaluate("""() => {
            const el = document.activeElement;
            return [el.getAttribute('aria-label') || el.getAttribute('title') || el.textContent.trim(),
                    getComputedStyle(el).outlineStyle];
        }""")
        if name in wanted:
            assert outline != "none", f"no visible focus on {name}"
        reached.add(name)
        if name == "1 operation, success" and len(reached & wanted) >= 3:
            break
    assert {"hook: Custom webhook", "parse: Parse JSON", "1 operation, success"} <= reached, reached
    user_page.keyboard.press("Enter")
    operations = user_page.get_by_role("region", name="Operations")
    expect(operations).to_be_visible()
    operations.get_by_role("button", name="Close operations").press("Enter")
    expect(operations).to_have_count(0)
    assert user_page.evaluate("document.activeElement.getAttribute('aria-label')").endswith("operation, success")
