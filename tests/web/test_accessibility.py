"""Every page: no serious or critical axe-core violation, a screenshot, keyboard reach, no horizontal scroll."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser import ARTIFACTS, PageGuard, Server, log_in, register
from tests.web.conftest import new_context
from tests.web.tooling import WEB

AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"


def axe_source() -> str:
    from tests.web.tooling import node_tool

    node_tool("tsc")  # node_modules is there (skip or fail as for every Node tool otherwise)
    return AXE.read_text()


def serious_violations(page: Any) -> list[str]:
    """axe-core run in the page (evaluated through DevTools, which the page's CSP does not govern)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def check(page: Any, name: str) -> None:
    """Screenshot the page into tests/web/artifacts/ and fail on serious accessibility problems."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_function("() => !document.body.innerText.includes('…')")  # loading states are over
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert serious_violations(page) == [], name
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{name} scrolls horizontally: {width}"


@pytest.fixture
def pages(browser: Any, ui_server: Server) -> Iterator[Any]:
    """Opens pages at a given viewport; fails the test on any CSP violation of any of them."""
    opened: list[tuple[Any, PageGuard]] = []

    def open_page(width: int = 1280, height: int = 800) -> Any:
        context = new_context(browser, ui_server, viewport={"width": width, "height": height})
        guard = PageGuard()
        page = context.new_page()
        guard.watch(page)
        opened.append((page, guard))
        return page

    yield open_page
    violations = [v for page, guard in opened for v in guard.violations(page)]
    for page, _ in opened:
        page.context.close()
    assert not violations, f"CSP violations: {violations}"


def test_public_pages(pages: Any) -> None:
    page = pages()
    for path, name, heading in [("/login", "login", "Log in"), ("/signup", "signup", "Create your account"),
                                ("/privacy", "privacy", "Privacy policy")]:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        check(page, name)


def test_pages_after_login(pages: Any, ui_server: Server) -> None:
    page = pages()
    log_in(page, register(ui_server))
    expect(page.get_by_role("heading", name="No scenarios yet")).to_be_visible()
    check(page, "scenarios-empty")
    page.get_by_role("button", name="Create a new scenario").click()
    page.get_by_role("dialog", name="Create a new scenario").get_by_role("textbox", name="Name").fill("Orders")
    check(page, "scenarios-create-dialog")
    page.get_by_role("button", name="Create", exact=True).click()
    for name in ("Invoices to the ledger", "Nightly CRM sync"):
        page.get_by_role("button", name="Create a new scenario").click()
        page.get_by_role("dialog").get_by_role("textbox", name="Name").fill(name)
        page.get_by_role("button", name="Create", exact=True).click()
        expect(page.get_by_role("link", name=name)).to_be_visible()
    page.get_by_role("switch", name="Active: Orders").click()
    expect(page.get_by_role("switch", name="Active: Orders")).to_have_attribute("aria-checked", "true")
    check(page, "scenarios-list")
    page.get_by_role("button", name="Delete Orders").click()
    check(page, "scenarios-delete-dialog")
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    page.get_by_role("link", name="Orders").click()
    expect(page.get_by_role("heading", name="Orders", level=1)).to_be_visible()
    check(page, "scenario-detail")
    page.goto("/nothing/here")
    check(page, "not-found")

    phone = pages(390, 844)
    phone.context.add_cookies(page.context.cookies())
    phone.goto("/scenarios")
    expect(phone.get_by_role("link", name="Nightly CRM sync")).to_be_visible()
    check(phone, "scenarios-list-390")
    for control in (phone.get_by_role("button", name="Create a new scenario"),
                    phone.get_by_role("switch", name="Active: Orders"),
                    phone.get_by_role("button", name="Delete Orders"),
                    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Account")):
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box


def test_data_store_pages(pages: Any, ui_server: Server) -> None:
    page = pages()
    log_in(page, register(ui_server))
    csrf = {"X-CSRF-Token": page.request.get("/api/v1/auth/me").json()["csrf_token"]}
    structure = [{"name": "email", "type": "text", "required": True}, {"name": "visits", "type": "number"},
                 {"name": "vip", "type": "boolean"}, {"name": "since", "type": "date"}]
    for name in ("Customers", "Seen orders"):
        answer = page.request.post("/api/v1/data-stores", data={"name": name, "structure": structure}, headers=csrf)
        assert answer.ok, answer.text()
    store_id = answer.json()["id"]
    for n in range(3):
        record = {"email": f"user{n}@example.com", "visits": n, "vip": n % 2 == 0, "since": "2024-03-05T14:30:00Z"}
        answer = page.request.put(f"/api/v1/data-stores/{store_id}/records/order-{n}", data={"data": record},
                                  headers=csrf)
        assert answer.ok, answer.text()
    page.goto("/data-stores")
    expect(page.get_by_role("link", name="Open Seen orders")).to_be_visible()
    check(page, "data-stores-list")
    page.get_by_role("link", name="Open Seen orders").click()
    expect(page.get_by_role("button", name="Edit record order-2")).to_be_visible()
    check(page, "data-store")
    page.get_by_role("button", name="Edit record order-1").click()
    expect(page.get_by_role("dialog", name="Edit record order-1")).to_be_visible()
    check(page, "data-store-edit-record")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Edit data store").click()
    expect(page.get_by_role("dialog", name="Edit data store")).to_be_visible()
    check(page, "data-store-edit")


def test_the_connections_page(pages: Any, ui_server: Server) -> None:
    """Empty, listed, and each dialog (the generated form of a type with every kind of input), at 1280 and 390 px."""
    page = pages()
    log_in(page, register(ui_server))
    page.goto("/connections")
    expect(page.get_by_role("heading", name="No connections yet")).to_be_visible()
    check(page, "connections-empty")
    page.get_by_role("button", name="Add connection").click()
    dialog = page.get_by_role("dialog", name="Add connection")
    dialog.get_by_role("combobox", name="Connection type").select_option(label="SMTP server")
    dialog.get_by_role("textbox", name="Connection name").fill("Mail")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog.get_by_role("alert")).to_be_visible()
    check(page, "connections-add-dialog")
    dialog.get_by_role("textbox", name="Host", exact=True).fill("smtp.example.com")
    dialog.get_by_role("textbox", name="From address").fill("ada@example.com")
    dialog.get_by_role("button", name="Add", exact=True).click()
    csrf = page.request.get("/api/v1/auth/me").json()["csrf_token"]
    for body in ({"type": "http.bearer", "name": "Billing API", "fields": {"token": "t0ken-value"}},
                 {"type": "http.oauth2", "name": "CRM", "fields": {"authorize_url": "https://crm.example.com/a",
                                                                   "token_url": "https://crm.example.com/t",
                                                                   "client_id": "scenarist"}}):
        assert page.request.post("/api/v1/connections", data=body, headers={"X-CSRF-Token": csrf}).ok
    page.reload()
    expect(page.get_by_role("row", name="CRM")).to_contain_text("Not connected")
    check(page, "connections-list")
    page.get_by_role("button", name="Edit Mail").click()
    check(page, "connections-edit-dialog")
    page.get_by_role("dialog", name="Edit connection").get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Delete Billing API").click()
    check(page, "connections-delete-dialog")
    page.get_by_role("dialog", name="Delete connection").get_by_role("button", name="Cancel").click()

    phone = pages(390, 844)
    phone.context.add_cookies(page.context.cookies())
    phone.goto("/connections")
    expect(phone.get_by_role("row", name="CRM")).to_be_visible()
    check(phone, "connections-list-390")
    for control in (phone.get_by_role("button", name="Add connection"), phone.get_by_role("button", name="Connect CRM"),
                    phone.get_by_role("button", name="Delete Mail")):
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    phone.get_by_role("button", name="Add connection").click()
    phone.get_by_role("dialog", name="Add connection").get_by_role("combobox", name="Connection type").select_option(
        label="OAuth 2.0")
    check(phone, "connections-add-dialog-390")


def focus_ring(page: Any) -> str:
    return str(page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle"))


def test_every_control_of_the_list_is_reachable_by_keyboard_with_visible_focus(pages: Any, ui_server: Server) -> None:
    page = pages()
    log_in(page, register(ui_server))
    page.get_by_role("button", name="Create a new scenario").click()
    page.keyboard.type("Keyboard only")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Keyboard only")).to_be_visible()
    wanted = {"Skip to content", "Scenarios", "Connections", "Data stores", "Incomplete executions",
              "Notifications", "Account", "Log out", "Create a new scenario", "Keyboard only",
              "Active: Keyboard only", "Rename Keyboard only", "Duplicate Keyboard only", "Delete Keyboard only"}
    page.goto("/scenarios")
    page.get_by_role("link", name="Keyboard only").wait_for()
    reached: set[str] = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        name = page.evaluate("""() => {
            const el = document.activeElement;
            return el.getAttribute('aria-label') || el.getAttribute('placeholder') || el.textContent.trim();
        }""")
        if name in wanted:
            assert focus_ring(page) != "none", f"no visible focus on {name}"
        reached.add(name)
    assert wanted <= reached, wanted - reached
    assert "Search scenarios" in reached


def test_history_and_inspector_pages(pages: Any, ui_server: Server) -> None:
    """The history (also at 390 px) and the scenario page with a failed run and its operations open."""
    page = pages()
    log_in(page, register(ui_server))
    csrf = page.request.get("/api/v1/auth/me").json()["csrf_token"]

    def post(path: str, data: Any) -> Any:
        answer = page.request.post(f"/api/v1{path}", data=data, headers={"X-CSRF-Token": csrf})
        assert answer.ok, answer.text()
        return answer.json()

    scenario_id = post("/scenarios", {
        "name": "Orders to the ledger", "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [
            {"id": "parse", "module": "json.parse", "params": {"json": "{{ hook.body.text }}"}},
            {"id": "route", "router": [
                {"label": "big orders", "filter": {"condition": "{{ parse.id > 100 }}"},
                 "flow": [{"id": "post", "module": "http.request",
                           "params": {"method": "POST", "url": "http://127.0.0.1:9/sink"}}]},
                {"fallback": True, "flow": [{"id": "note", "module": "tools.set_variables",
                                             "params": {"variables": {"seen": "{{ parse.id }}"}}}]},
            ]},
        ],
    })["id"]
    post(f"/scenarios/{scenario_id}/run?wait=true", {"input": {"text": '{"id": 7, "lines": [{"sku": "A-1"}]}'}})
    failed = post(f"/scenarios/{scenario_id}/run?wait=true", {"input": {"text": "{ not JSON"}})
    page.goto(f"/scenarios/{scenario_id}/history")
    expect(page.get_by_role("columnheader", name="Status")).to_be_visible()
    check(page, "history")
    page.goto(f"/scenarios/{scenario_id}?execution={failed['id']}")
    page.get_by_role("region", name="Scenario canvas").get_by_role("button", name="1 operation, error").click()
    expect(page.get_by_role("region", name="Operations")).to_be_visible()
    check(page, "inspector")

    phone = pages(390, 844)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"/scenarios/{scenario_id}/history")
    runs = phone.get_by_role("table").get_by_role("link")
    expect(runs).to_have_count(2)  # each run's start, a link to it
    check(phone, "history-390")
    for control in (phone.get_by_role("combobox", name="Status"), runs.first):
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box


def test_the_editor(pages: Any, ui_server: Server) -> None:
    """The editor with a few steps (editor.png), with a step's settings open (editor-settings.png), mapping into
    a field (editor-mapping-open.png) and adding a module."""
    page = pages()
    log_in(page, register(ui_server))
    csrf = page.request.get("/api/v1/auth/me").json()["csrf_token"]
    answer = page.request.post("/api/v1/scenarios", headers={"X-CSRF-Token": csrf}, data={
        "name": "Big orders to the sink", "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [
            {"id": "shape", "module": "tools.set_variables", "params": {"variables": {
                "id": "{{ hook.body.id }}", "amount_cents": "{{ hook.body.amount * 100 }}"}}},
            {"id": "route", "router": [
                {"label": "big", "filter": {"condition": "{{ hook.body.amount > 10 }}"},
                 "flow": [{"id": "post", "module": "http.request", "filter": {"label": "only big ones",
                                                                             "condition": "{{ shape.amount_cents }}"},
                           "params": {"method": "POST", "url": "http://127.0.0.1:9/sink", "json": "{{ shape }}"}}]},
                {"fallback": True, "flow": [{"id": "note", "module": "tools.sleep", "params": {"seconds": 0}}]},
            ]},
        ],
    })
    assert answer.ok, answer.text()
    page.goto(f"/scenarios/{answer.json()['id']}")
    canvas = page.get_by_role("region", name="Scenario canvas")
    expect(canvas.get_by_role("button", name="post: Make a request")).to_be_visible()
    check(page, "editor")
    canvas.get_by_role("button", name="post: Make a request").click()
    form = page.get_by_role("region", name="Module settings")
    expect(form.get_by_role("textbox", name="Url", exact=True)).to_be_visible()
    check(page, "editor-settings")
    form.get_by_role("textbox", name="Url", exact=True).click()
    expect(page.get_by_role("complementary", name="Mapping")).to_be_visible()
    check(page, "editor-mapping-open")
    page.get_by_role("button", name="Add module").click()
    expect(page.get_by_role("dialog", name="Add module")).to_be_visible()
    check(page, "editor-add-module")
def test_the_scenario_settings_page_and_its_filter_dialog(pages: Any, ui_server: Server) -> None:
    page = pages()
    log_in(page, register(ui_server))
    csrf = page.evaluate("() => fetch('/api/v1/auth/me').then((r) => r.json()).then((me) => me.csrf_token)")
    definition = {
        "name": "Panels", "trigger": {"id": "hook", "module": "webhooks.custom", "params": {}},
        "schedule": {"type": "cron", "expression": "0 9 * * 1-5", "timezone": "Europe/Prague"},
        "flow": [{"id": "answer", "module": "webhooks.respond", "params": {"body": "ok"},
                  "filter": {"conditions": [[{"a": "{{ hook.body.amount }}", "o": "number:greater", "b": 10}]]}}],
    }
    created = page.request.post("/api/v1/scenarios", data=definition, headers={"X-CSRF-Token": csrf})
    assert created.status == 201, created.text()
    page.goto(f"/scenarios/{created.json()['id']}/settings")
    expect(page.get_by_role("list", name="Next runs").get_by_role("listitem")).to_have_count(5)
    check(page, "scenario-settings")
    page.get_by_role("button", name="Edit filter of answer").click()
    expect(page.get_by_role("dialog", name="Filter of answer")).to_be_visible()
    check(page, "scenario-settings-filter-dialog")


def test_run_once_dialog_and_live_result(pages: Any, ui_server: Server) -> None:
    """The history page's "Run once" dialog (sample input with a parse error, the webhook URL) and the finished
    live run with its outputs for mapping."""
    page = pages()
    log_in(page, register(ui_server))
    csrf = page.request.get("/api/v1/auth/me").json()["csrf_token"]
    created = page.request.post("/api/v1/scenarios", headers={"X-CSRF-Token": csrf}, data={
        "name": "Run me once", "trigger": {"id": "hook", "module": "webhooks.custom"},
        "flow": [{"id": "shape", "module": "tools.set_variables",
                  "params": {"variables": {"name": "{{ hook.body.name }}"}}}],
    })
    assert created.ok, created.text()
    page.goto(f"/scenarios/{created.json()['id']}/history")
    page.get_by_role("button", name="Run once").click()
    dialog = page.get_by_role("dialog", name="Run once")
    field = dialog.get_by_role("textbox", name="Sample input")
    expect(field).to_have_value("{}")
    field.fill("{not JSON")
    dialog.get_by_role("button", name="Run", exact=True).click()
    expect(field).to_have_attribute("aria-invalid", "true")
    check(page, "run-once-dialog")
    field.fill('{"name": "Ada"}')
    dialog.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_role("region", name="Run once result").get_by_role("status").first).to_have_text(
        "The run has finished.")
    expect(page.get_by_role("region", name="Outputs available for mapping")).to_be_visible()
    check(page, "run-once-result")
