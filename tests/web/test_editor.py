"""The scenario editor at `/scenarios/{id}`, in Chromium against a real `scenarist serve`: building W1 from an
empty canvas, undo/redo, the keyboard, export/import, routers, renaming, copy/paste, leaving, a 422 at its field,
and the inspector with `?execution=`. By role and accessible name (CONTRACT section 10)."""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser import ARTIFACTS, PageGuard, Server, log_in, register, serving
from tests.web.conftest import new_context
from tests.web.tooling import built_ui

_names = itertools.count(1)


def empty(name: str) -> dict[str, Any]:
    """What "Create a new scenario" makes: a webhook trigger and nothing else."""
    return {"name": name, "trigger": {"id": "hook", "module": "webhooks.custom", "params": {}},
            "schedule": {"type": "immediately"}, "flow": []}


def two_steps(name: str) -> dict[str, Any]:
    return {**empty(name), "flow": [
        {"id": "shape", "module": "tools.set_variables", "params": {"variables": {"id": "{{ hook.body.id }}"}}},
        {"id": "post", "module": "http.request", "params": {"method": "POST", "url": "http://127.0.0.1:9/x",
                                                            "json": "{{ shape.id }}"}},
    ]}


class Api:
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

    def definition(self, scenario_id: str) -> dict[str, Any]:
        saved: dict[str, Any] = self.page.request.get(f"/api/v1/scenarios/{scenario_id}").json()["definition"]
        return saved


@pytest.fixture(scope="module")
def editor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This module's own server: loopback is an allowed egress destination, for the local sink."""
    built_ui()
    with serving(tmp_path_factory.mktemp("editor"), SCENARIST_EGRESS_ALLOW="127.0.0.0/8") as server:
        yield server


@pytest.fixture
def user_page(browser: Any, editor_server: Server) -> Iterator[Any]:
    """A fresh account, logged in, the clipboard allowed; fails the test on any CSP violation."""
    context = new_context(browser, editor_server, permissions=["clipboard-read", "clipboard-write"],
                          accept_downloads=True)
    guard = PageGuard()
    page = context.new_page()
    guard.watch(page)
    log_in(page, register(editor_server))
    yield page
    violations = guard.violations(page)
    context.close()
    assert not violations, f"CSP violations: {violations}"


@pytest.fixture
def sink() -> Iterator[list[Any]]:
    """A tiny HTTP server on 127.0.0.1 that keeps the JSON bodies POSTed to it."""
    received: list[Any] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received.append(json.loads(self.rfile.read(length) or b"null"))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received.append(f"http://127.0.0.1:{server.server_address[1]}/sink")
    yield received
    server.shutdown()
    server.server_close()


def open_editor(page: Any, scenario_id: str) -> Any:
    page.goto(f"/scenarios/{scenario_id}")
    canvas = page.get_by_role("region", name="Scenario canvas")
    expect(canvas.get_by_role("button", name="hook: Custom webhook")).to_be_visible()
    return canvas


def add_module(page: Any, search: str, option: str, place: str | None = None) -> None:
    page.get_by_role("button", name="Add module").click()
    dialog = page.get_by_role("dialog", name="Add module")
    if place is not None:
        dialog.get_by_label("Insert into").select_option(label=place)
    dialog.get_by_role("searchbox", name="Search modules").fill(search)
    expect(dialog.get_by_role("listbox", name="Modules").get_by_role("option").first).to_have_accessible_name(option)
    dialog.get_by_role("searchbox", name="Search modules").press("Enter")
    expect(dialog).to_be_hidden()


def settings(page: Any) -> Any:
    return page.get_by_role("region", name="Module settings")


def save(page: Any) -> None:
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Unsaved changes")).to_be_hidden()


def run_once(page: Any, sample: str) -> Any:
    """Run once with sample input from the editor; the result region once the run has finished."""
    page.get_by_role("button", name="Run once").click()
    dialog = page.get_by_role("dialog", name="Run once")
    dialog.get_by_role("textbox", name="Sample input").fill(sample)
    dialog.get_by_role("button", name="Run", exact=True).click()
    expect(dialog).to_be_hidden()
    result = page.get_by_role("region", name="Run once result")
    expect(result.get_by_role("status").first).to_have_text("The run has finished.")
    return result


def test_build_w1_from_an_empty_canvas_and_save(user_page: Any, sink: list[Any]) -> None:
    page, api = user_page, Api(user_page)
    url = sink.pop(0)
    scenario_id = api.scenario(empty(f"W1 {next(_names)}"))
    canvas = open_editor(page, scenario_id)
    run_once(page, '{"id": 7, "amount": 12}')  # the trigger alone: its output, to map from
    add_module(page, "set variables", "Tools: Set variables")
    expect(canvas.get_by_role("button", name="set_variables: Set variables")).to_be_visible()
    form = settings(page)
    mapping = page.get_by_role("complementary", name="Mapping")
    form.get_by_role("button", name="Add to Variables").click()
    form.get_by_role("textbox", name="Variables name 1").fill("id")
    form.get_by_role("textbox", name="Variables value 1").click()  # editing a field opens the mapping panel
    expect(mapping).to_contain_text("Variables value 1")
    expect(mapping.get_by_role("button", name="Insert hook.body.id")).to_contain_text("7")  # from the run
    mapping.get_by_role("button", name="Insert hook.body.id").click()
    expect(form.get_by_role("textbox", name="Variables value 1")).to_have_value("{{ hook.body.id }}")
    form.get_by_role("button", name="Add to Variables").click()
    form.get_by_role("textbox", name="Variables name 2").fill("amount_cents")
    value = form.get_by_role("textbox", name="Variables value 2")
    value.fill("{{  * 100 }}")
    value.press("Home")
    for _ in range(3):
        value.press("ArrowRight")  # the cursor inside the expression: the pick goes in as a bare path
    mapping.get_by_role("button", name="Insert hook.body.amount").click()
    expect(value).to_have_value("{{ hook.body.amount * 100 }}")
    page.screenshot(path=str(ARTIFACTS / "editor-mapping.png"))
    add_module(page, "make a request", "HTTP: Make a request")
    expect(canvas.get_by_role("button", name="request: Make a request")).to_be_visible()
    request = canvas.get_by_role("group", name="Step request", exact=True)
    expect(request.locator("[data-app=http]")).to_be_visible()  # its app's icon
    form.get_by_role("combobox", name="Method").select_option("POST")
    form.get_by_role("textbox", name="Url", exact=True).fill(url)
    form.get_by_role("textbox", name="Json", exact=True).click()
    mapping.get_by_role("button", name=re.compile(r", insert set_variables$")).click()  # the whole step's output
    expect(form.get_by_role("textbox", name="Json", exact=True)).to_have_value("{{ set_variables }}")
    canvas.get_by_role("button", name="Filter before request").click()  # the link's filter
    dialog = page.get_by_role("dialog", name="Filter")
    dialog.get_by_role("textbox", name="Label").fill("only big ones")
    row = dialog.get_by_role("group", name="Condition 1", exact=True)
    row.get_by_role("textbox", name="First operand").fill("{{ hook.body.amount }}")
    row.get_by_role("combobox", name="Operator").select_option(label="Number: Greater than")
    row.get_by_role("textbox", name="Second operand").fill("10")
    dialog.get_by_role("button", name="Apply").click()
    expect(dialog).to_be_hidden()
    expect(canvas.get_by_role("button", name="Filter before request: only big ones")).to_be_visible()
    expect(page.get_by_text("Unsaved changes")).to_be_visible()
    save(page)
    page.screenshot(path=str(ARTIFACTS / "editor-w1.png"))
    flow = api.definition(scenario_id)["flow"]
    assert [s["id"] for s in flow] == ["set_variables", "request"]
    variables = {"id": "{{ hook.body.id }}", "amount_cents": "{{ hook.body.amount * 100 }}"}
    assert flow[0]["params"] == {"variables": variables}
    assert flow[1]["params"]["method"] == "POST" and flow[1]["params"]["url"] == url
    assert flow[1]["params"]["json"] == "{{ set_variables }}"
    assert flow[1]["filter"] == {"label": "only big ones",
                                 "conditions": [[{"a": "{{ hook.body.amount }}", "o": "number:greater", "b": 10}]]}
    run = api.post(f"/scenarios/{scenario_id}/run?wait=true", {"input": {"id": 7, "amount": 12}})
    assert run["status"] == "success", run.get("error")
    assert sink == [{"id": 7, "amount_cents": 1200}]
    small = api.post(f"/scenarios/{scenario_id}/run?wait=true", {"input": {"id": 8, "amount": 3}})
    assert small["status"] == "success" and sink == [{"id": 7, "amount_cents": 1200}]  # filtered out


def test_the_mapping_panel_offers_functions_and_closes(user_page: Any) -> None:
    page, api = user_page, Api(user_page)
    canvas = open_editor(page, api.scenario(two_steps(f"Functions {next(_names)}")))
    canvas.get_by_role("button", name="post: Make a request").click()
    url = settings(page).get_by_role("textbox", name="Url", exact=True)
    url.fill("http://127.0.0.1:9/")
    url.press("End")
    mapping = page.get_by_role("complementary", name="Mapping")
    # no run yet: the outputs the modules declare (Set variables: the variables it sets)
    expect(mapping.get_by_role("button", name="Insert shape.id")).to_be_visible()
    mapping.get_by_role("searchbox", name="Search functions").fill("lower")
    mapping.get_by_role("list", name="Functions").get_by_role("button", name="Insert lower").click()
    expect(url).to_have_value("http://127.0.0.1:9/{{ lower( }}")
    expect(url).to_be_focused()
    page.keyboard.type("shape.id)")
    expect(url).to_have_value("http://127.0.0.1:9/{{ lower(shape.id) }}")
    shown = settings(page).locator(".field-expression").filter(has_text="lower(")  # the expression highlighted
    expect(shown.locator(".expr-function")).to_have_text("lower")
    expect(shown.locator(".expr-step")).to_have_text("shape.id")
    mapping.get_by_role("button", name="Close mapping").click()
    expect(mapping).to_be_hidden()
    expect(url).to_be_focused()
    canvas.get_by_role("button", name="shape: Set variables").click()
    settings(page).get_by_role("textbox", name="Step id").click()  # no mapping into the id
    expect(mapping).to_be_hidden()


def test_a_route_link_opens_the_routes_filter(user_page: Any) -> None:
    page, api = user_page, Api(user_page)
    scenario_id = api.scenario(empty(f"Route link {next(_names)}") | {"flow": [{"id": "split", "router": [
        {"label": "Big", "flow": [{"id": "big", "module": "tools.set_variables", "params": {"variables": {"a": 1}}}]},
        {"label": "Rest", "fallback": True, "flow": [
            {"id": "rest", "module": "tools.set_variables", "params": {"variables": {"a": 2}}}]},
    ]}]})
    canvas = open_editor(page, scenario_id)
    canvas.get_by_role("button", name="Filter before big").click()
    dialog = page.get_by_role("dialog", name="Filter")
    row = dialog.get_by_role("group", name="Condition 1", exact=True)
    row.get_by_role("textbox", name="First operand").fill("{{ hook.body.n }}")
    row.get_by_role("combobox", name="Operator").select_option(label="Number: Greater than")
    row.get_by_role("textbox", name="Second operand").fill("5")
    dialog.get_by_role("button", name="Apply").click()
    save(page)
    routes = api.definition(scenario_id)["flow"][0]["router"]
    assert routes[0]["filter"] == {"conditions": [[{"a": "{{ hook.body.n }}", "o": "number:greater", "b": 5}]]}
    assert "filter" not in routes[0]["flow"][0]
    big = api.post(f"/scenarios/{scenario_id}/run?wait=true", {"input": {"n": 9}})
    small = api.post(f"/scenarios/{scenario_id}/run?wait=true", {"input": {"n": 1}})
    assert [e["step"] for e in big["log"] if e["status"] == "success"] == ["hook", "big"]
    assert [e["step"] for e in small["log"] if e["status"] == "success"] == ["hook", "rest"]


def test_undo_and_redo_a_deletion(user_page: Any) -> None:
    page = user_page
    canvas = open_editor(page, Api(page).scenario(two_steps(f"Undo {next(_names)}")))
    shape = canvas.get_by_role("button", name="shape: Set variables")
    shape.click()
    page.keyboard.press("Delete")
    expect(shape).to_have_count(0)
    page.get_by_role("button", name="Undo").click()
    expect(shape).to_be_visible()
    expect(page.get_by_text("Unsaved changes")).to_be_hidden()  # back to what is saved
    page.get_by_role("button", name="Redo").click()
    expect(shape).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(shape).to_be_visible()
    page.keyboard.press("Control+Shift+z")
    expect(shape).to_have_count(0)


def test_the_delete_key_removes_the_focused_step_and_enter_opens_its_settings(user_page: Any) -> None:
    page, api = user_page, Api(user_page)
    scenario_id = api.scenario(two_steps(f"Keys {next(_names)}"))
    canvas = open_editor(page, scenario_id)
    post = canvas.get_by_role("button", name="post: Make a request")
    post.focus()
    page.keyboard.press("Enter")
    expect(settings(page).get_by_role("heading", name="post: Make a request")).to_be_visible()
    post.focus()
    page.keyboard.press("Delete")
    expect(post).to_have_count(0)
    canvas.get_by_role("button", name="hook: Custom webhook").focus()
    page.keyboard.press("Delete")  # the trigger stays
    expect(canvas.get_by_role("button", name="hook: Custom webhook")).to_be_visible()
    page.keyboard.press("Control+s")
    expect(page.get_by_text("Unsaved changes")).to_be_hidden()
    assert [s["id"] for s in api.definition(scenario_id)["flow"]] == ["shape"]


def test_export_then_import_into_a_new_scenario(user_page: Any, tmp_path: Path) -> None:
    page, api = user_page, Api(user_page)
    name = f"Export {next(_names)}"
    open_editor(page, api.scenario(two_steps(name)))
    with page.expect_download() as download:
        page.get_by_role("button", name="Export", exact=True).click()
    exported = tmp_path / "scenario.json"
    download.value.save_as(exported)
    assert json.loads(exported.read_text())["flow"][1]["id"] == "post"
    with page.expect_download() as download:
        page.get_by_role("button", name="Export YAML").click()
    exported_yaml = tmp_path / "scenario.yaml"
    download.value.save_as(exported_yaml)
    assert exported_yaml.read_text().startswith(f'name: "{name}"')

    for source in (exported, exported_yaml):
        target = api.scenario(empty(f"Target {next(_names)}"))
        canvas = open_editor(page, target)
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="Import").click()
        chooser.value.set_files(str(source))
        expect(canvas.get_by_role("button", name="post: Make a request")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("no problems")
        expect(page.get_by_role("textbox", name="Scenario name")).to_have_value(name)
        save(page)
        assert [s["id"] for s in api.definition(target)["flow"]] == ["shape", "post"]


def test_an_import_with_a_problem_lists_it_by_path(user_page: Any, tmp_path: Path) -> None:
    page, api = user_page, Api(user_page)
    open_editor(page, api.scenario(empty(f"Bad import {next(_names)}")))
    bad = two_steps("Broken")
    bad["flow"][1]["id"] = "Not an id"
    source = tmp_path / "broken.json"
    source.write_text(json.dumps(bad))
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import").click()
    chooser.value.set_files(str(source))
    problems = page.get_by_role("region", name="Problems")
    expect(problems).to_contain_text("flow[1].id")
    expect(page.get_by_text("Unsaved changes")).to_be_visible()


def test_add_a_router_with_a_fallback_route(user_page: Any) -> None:
    page, api = user_page, Api(user_page)
    scenario_id = api.scenario(empty(f"Router {next(_names)}"))
    canvas = open_editor(page, scenario_id)
    add_module(page, "router", "Flow control: Router")
    expect(canvas.get_by_role("button", name="router: Router")).to_be_visible()
    form = settings(page)
    expect(form.get_by_role("checkbox", name="Fallback route")).to_have_count(2)
    expect(form.get_by_role("checkbox", name="Fallback route").nth(1)).to_be_checked()
    form.get_by_role("textbox", name="Route 1 condition").fill("{{ hook.body.big }}")
    form.get_by_role("button", name="Add route").click()
    add_module(page, "sleep", "Tools: Sleep", place="Route 2: Fallback (fallback) of router")
    expect(canvas.get_by_role("button", name="sleep: Sleep")).to_be_visible()
    form.get_by_role("textbox", name="Seconds").fill("1")
    save(page)
    routes = api.definition(scenario_id)["flow"][0]["router"]
    assert [r.get("fallback", False) for r in routes] == [False, True, False]
    assert routes[0]["filter"]["condition"] == "{{ hook.body.big }}"
    assert routes[1]["flow"] == [{"id": "sleep", "module": "tools.sleep", "params": {"seconds": 1}}]


def test_renaming_a_step_rewrites_a_later_steps_expression(user_page: Any) -> None:
    page, api = user_page, Api(user_page)
    scenario_id = api.scenario(two_steps(f"Rename {next(_names)}"))
    canvas = open_editor(page, scenario_id)
    canvas.get_by_role("button", name="shape: Set variables").click()
    step_id = settings(page).get_by_role("textbox", name="Step id")
    step_id.fill("post")
    expect(settings(page)).to_contain_text("Another step is already called post")
    step_id.fill("order")
    step_id.press("Enter")
    expect(canvas.get_by_role("button", name="order: Set variables")).to_be_visible()
    canvas.get_by_role("button", name="post: Make a request").click()
    expect(settings(page).get_by_role("textbox", name="Json", exact=True)).to_have_value("{{ order.id }}")
    save(page)
    assert api.definition(scenario_id)["flow"][1]["params"]["json"] == "{{ order.id }}"


def test_copy_and_paste_a_step_gives_it_a_fresh_id(user_page: Any) -> None:
    page = user_page
    canvas = open_editor(page, Api(page).scenario(two_steps(f"Copy {next(_names)}")))
    canvas.get_by_role("button", name="shape: Set variables").focus()
    page.keyboard.press("Control+c")
    assert '"shape"' in page.evaluate("navigator.clipboard.readText()")
    page.keyboard.press("Control+v")
    expect(canvas.get_by_role("button", name="shape_2: Set variables")).to_be_visible()
    expect(settings(page).get_by_role("heading", name="shape_2: Set variables")).to_be_visible()


def test_leaving_with_unsaved_changes_asks_first(user_page: Any) -> None:
    page = user_page
    open_editor(page, Api(page).scenario(two_steps(f"Leave {next(_names)}")))
    page.get_by_role("textbox", name="Scenario name").fill("Changed name")
    page.get_by_role("link", name="← Scenarios").click()
    ask = page.get_by_role("dialog", name="Leave without saving?")
    expect(ask).to_be_visible()
    ask.get_by_role("button", name="Stay").click()
    expect(page.get_by_role("textbox", name="Scenario name")).to_have_value("Changed name")
    page.get_by_role("link", name="← Scenarios").click()
    page.get_by_role("dialog", name="Leave without saving?").get_by_role("button", name="Leave").click()
    expect(page.get_by_role("heading", name="Scenarios", level=1)).to_be_visible()


def test_a_422_from_save_is_shown_at_its_field(user_page: Any) -> None:
    page = user_page
    open_editor(page, Api(page).scenario(empty(f"Invalid {next(_names)}")))
    add_module(page, "make a request", "HTTP: Make a request")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Not saved")
    url = settings(page).get_by_role("textbox", name="Url", exact=True)
    expect(url).to_have_attribute("aria-invalid", "true")
    expect(settings(page).locator(".field-error")).to_be_visible()
    expect(page.get_by_text("Unsaved changes")).to_be_visible()


def test_the_inspector_still_works_with_an_execution(user_page: Any) -> None:
    page, api = user_page, Api(user_page)
    scenario_id = api.scenario(two_steps(f"Inspect {next(_names)}") | {"flow": two_steps("x")["flow"][:1]})
    run = api.post(f"/scenarios/{scenario_id}/run?wait=true", {"input": {"id": 3}})
    page.goto(f"/scenarios/{scenario_id}?execution={run['id']}")
    canvas = page.get_by_role("region", name="Scenario canvas")
    canvas.get_by_role("button", name="1 operation, success").first.click()
    expect(page.get_by_role("region", name="Operations").get_by_role("group", name="Operation 1")).to_be_visible()


def test_the_condition_builder_sets_a_steps_filter(user_page: Any) -> None:
    page, api = user_page, Api(user_page)
    scenario_id = api.scenario(two_steps("Built filter"))
    canvas = open_editor(page, scenario_id)
    canvas.get_by_role("button", name="post: Make a request").click()
    settings(page).get_by_role("button", name="Edit filter").click()
    dialog = page.get_by_role("dialog", name="Filter")
    row = dialog.get_by_role("group", name="Condition 1", exact=True)
    row.get_by_role("textbox", name="First operand").fill("{{ hook.body.amount }}")
    row.get_by_role("combobox", name="Operator").select_option(label="Number: Greater than")
    row.get_by_role("textbox", name="Second operand").fill("10")
    dialog.get_by_role("button", name="Apply").click()
    expect(dialog).to_be_hidden()
    expect(settings(page)).to_contain_text("> 10")
    save(page)
    saved = api.definition(scenario_id)["flow"][1]["filter"]
    assert saved["conditions"] == [[{"a": "{{ hook.body.amount }}", "o": "number:greater", "b": 10}]], saved
    page.get_by_role("button", name="Undo").click()
    expect(settings(page)).to_contain_text("No filter.")


def test_run_once_from_the_editor_shows_the_live_run(user_page: Any) -> None:
    page, api = user_page, Api(user_page)
    scenario_id = api.scenario(empty("Run from the editor") | {"flow": [
        {"id": "shape", "module": "tools.set_variables",
         "params": {"variables": {"who": "{{ hook.body.name | upper }}"}}},
    ]})
    open_editor(page, scenario_id)
    result = run_once(page, '{"name": "ada"}')
    expect(page.get_by_role("region", name="Scenario canvas")).to_have_count(1)  # the bubbles are on the editor's
    canvas = page.get_by_role("region", name="Scenario canvas")
    expect(canvas.get_by_role("group", name="Step hook", exact=True)
           .get_by_role("button", name="1 operation, success")).to_be_visible()
    shape = canvas.get_by_role("group", name="Step shape", exact=True)
    shape.get_by_role("button", name="1 operation, success").click()
    operations = page.get_by_role("region", name="Operations")
    output = operations.get_by_role("group", name="Operation 1").get_by_role("group", name="Output")
    expect(output).to_contain_text('"ADA"')
    expect(result.get_by_role("region", name="Execution")).to_contain_text("Success")
    page.screenshot(path=str(ARTIFACTS / "editor-run.png"), full_page=True)
    operations.get_by_role("button", name="Close operations").click()
    expect(operations).to_be_hidden()
    # the run's output now feeds the mapping panel of the step's fields
    canvas.get_by_role("button", name="shape: Set variables").click()
    settings(page).get_by_role("textbox", name="Variables value 1").click()
    mapping = page.get_by_role("complementary", name="Mapping")
    expect(mapping.get_by_role("button", name="Insert hook.body.name")).to_contain_text("ada")


def test_an_error_handler_is_drawn_as_a_branch_and_takes_steps(user_page: Any) -> None:
    page, api = user_page, Api(user_page)
    scenario_id = api.scenario(two_steps(f"Handler {next(_names)}"))
    canvas = open_editor(page, scenario_id)
    canvas.get_by_role("button", name="post: Make a request").click()
    settings(page).get_by_role("combobox", name="If this step fails").select_option("resume")
    handler_end = canvas.get_by_role("group", name="Error handler of post: Resume")
    expect(handler_end).to_be_visible()
    settings(page).get_by_role("textbox", name="Resume output").fill('{"status": "{{ error.type }}"}')
    add_module(page, "set variables", "Tools: Set variables", place="Error handler of post")
    expect(canvas.get_by_role("button", name="set_variables: Set variables")).to_be_visible()
    expect(canvas.get_by_role("button", name="Filter before set_variables")).to_be_visible()  # a link into a step
    settings(page).get_by_role("button", name="Add to Variables").click()
    settings(page).get_by_role("textbox", name="Variables name 1").fill("failed")
    settings(page).get_by_role("textbox", name="Variables value 1").click()
    mapping = page.get_by_role("complementary", name="Mapping")
    expect(mapping.get_by_role("button", name=re.compile(r"^shape "))).to_be_visible()  # what post saw
    mapping.get_by_role("button", name=re.compile(r", insert error\.message$")).click()  # and the error
    expect(settings(page).get_by_role("textbox", name="Variables value 1")).to_have_value("{{ error.message }}")
    page.screenshot(path=str(ARTIFACTS / "editor-error-handler.png"))
    save(page)
    post = api.definition(scenario_id)["flow"][1]
    assert post["on_error"]["directive"] == "resume"
    assert post["on_error"]["output"] == {"status": "{{ error.type }}"}
    assert [s["id"] for s in post["on_error"]["flow"]] == ["set_variables"]
    run = api.post(f"/scenarios/{scenario_id}/run?wait=true", {"input": {"id": 1}})  # port 9 refuses: handled
    assert run["status"] == "success", run.get("error")
    assert "set_variables" in [e["step"] for e in run["log"]]


def test_versions_from_the_editor_are_compared_and_one_restored(user_page: Any) -> None:
    page, api = user_page, Api(user_page)
    scenario_id = api.scenario(two_steps(f"Versions {next(_names)}"))
    open_editor(page, scenario_id)
    name = page.get_by_role("textbox", name="Scenario name")
    name.fill("Second name")
    save(page)
    page.get_by_role("button", name="Scenario settings").click()
    settings_dialog = page.get_by_role("dialog", name="Scenario settings")
    expect(settings_dialog.get_by_role("group", name="Webhook URL")).to_contain_text("/hooks/")
    settings_dialog.get_by_role("button", name="Copy").click()
    expect(settings_dialog.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    settings_dialog.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Versions").click()
    dialog = page.get_by_role("dialog", name="Versions")
    versions = dialog
    expect(versions.get_by_role("list", name="Versions").get_by_role("listitem")).to_have_count(2)
    versions.get_by_role("checkbox", name="Version 1").check()
    versions.get_by_role("checkbox", name="Version 2").check()
    versions.get_by_role("button", name="Compare").click()
    diff = versions.get_by_role("region", name="Changes from version 1 to version 2")
    added = diff.get_by_role("listitem").filter(has_text="Added:")
    expect(added.filter(has_text='"name": "Second name"')).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "editor-versions.png"))
    versions.get_by_role("button", name="Restore version 1").click()
    page.get_by_role("dialog", name="Restore version 1?").get_by_role("button", name="Restore").click()
    expect(versions.get_by_role("status")).to_contain_text("Version 1 restored")
    dialog.get_by_role("button", name="Close", exact=True).click()
    assert api.definition(scenario_id)["name"].startswith("Versions ")
    expect(name).to_have_value(api.definition(scenario_id)["name"])
    expect(page.get_by_text("Unsaved changes")).to_be_hidden()
