"""The data stores pages: the list (fields, bytes and records against the limits, empty and loading states),
creating a store with its fields and limits, and one store's records page by page: add, edit, delete."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser import PageGuard, Server, first_held, log_in, register
from tests.web.conftest import new_context
from tests.web.test_accessibility import check

_names = itertools.count(1)


class Api:
    """The page's own session, used through the API to set the scene."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.csrf = page.request.get("/api/v1/auth/me").json()["csrf_token"]

    def send(self, method: str, path: str, data: Any = None) -> Any:
        answer = self.page.request.fetch(f"/api/v1{path}", method=method, data=data,
                                         headers={"X-CSRF-Token": self.csrf})
        assert answer.ok, answer.text()
        return answer.json()

    def store(self, name: str, structure: list[dict[str, Any]] | None = None, **limits: int) -> str:
        fields = structure or [{"name": "status", "type": "text"}, {"name": "amount", "type": "number"}]
        store_id: str = self.send("POST", "/data-stores", {"name": name, "structure": fields, **limits})["id"]
        return store_id

    def record(self, store_id: str, key: str, data: dict[str, Any]) -> None:
        self.send("PUT", f"/data-stores/{store_id}/records/{key}", {"data": data})

    def get(self, path: str) -> Any:
        return self.send("GET", path)


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
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Data stores").click()
    expect(page.get_by_role("heading", name="Data stores", level=1)).to_be_visible()


def open_store(page: Any, name: str) -> None:
    open_list(page)
    page.get_by_role("link", name=f"Open {name}", exact=True).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def row(page: Any, name: str) -> Any:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def record_row(page: Any, key: str) -> Any:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=key, exact=True))


def test_the_empty_state_says_what_data_stores_are_for(user_page: Any) -> None:
    open_list(user_page)
    expect(user_page.get_by_role("heading", name="No data stores yet")).to_be_visible()
    expect(user_page.get_by_text("keeps records between runs of your scenarios")).to_be_visible()
    check(user_page, "data-stores-empty")


def test_the_loading_state_is_said(user_page: Any) -> None:
    held: list[Any] = []
    user_page.route("**/api/v1/data-stores", lambda route: held.append(route))
    open_list(user_page)
    expect(user_page.get_by_role("status").filter(has_text="Loading data stores")).to_be_visible()
    first_held(user_page, held, "the list").continue_()
    expect(user_page.get_by_role("heading", name="No data stores yet")).to_be_visible()


def test_create_a_store_with_two_fields_of_different_types_and_see_it_listed(user_page: Any) -> None:
    name = f"Orders {next(_names)}"
    open_list(user_page)
    user_page.get_by_role("button", name="Create a data store").click()
    dialog = user_page.get_by_role("dialog", name="Create a data store")
    dialog.get_by_role("textbox", name="Name", exact=True).fill(name)
    dialog.get_by_role("textbox", name="Field 1 name").fill("status")
    dialog.get_by_role("checkbox", name="Field 1 required").check()
    dialog.get_by_role("button", name="Add field").click()
    expect(dialog.get_by_role("textbox", name="Field 2 name")).to_be_focused()
    dialog.get_by_role("textbox", name="Field 2 name").fill("amount")
    dialog.get_by_role("combobox", name="Field 2 type").select_option(label="Number")
    dialog.get_by_role("spinbutton", name="Most records").fill("500")
    check(user_page, "data-stores-create-dialog")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_be_hidden()
    listed = row(user_page, name)
    expect(listed).to_contain_text("status (text)")
    expect(listed).to_contain_text("amount (number)")
    expect(listed).to_contain_text("0 of 500 records")
    store = next(s for s in Api(user_page).get("/data-stores") if s["name"] == name)
    assert store["structure"] == [{"name": "status", "type": "text", "required": True},
                                  {"name": "amount", "type": "number", "required": False}]
    assert store["max_records"] == 500


def test_a_field_can_be_removed_before_creating(user_page: Any) -> None:
    name = f"Trimmed {next(_names)}"
    open_list(user_page)
    user_page.get_by_role("button", name="Create a data store").click()
    dialog = user_page.get_by_role("dialog", name="Create a data store")
    dialog.get_by_role("textbox", name="Name", exact=True).fill(name)
    dialog.get_by_role("textbox", name="Field 1 name").fill("dropped")
    dialog.get_by_role("button", name="Add field").click()
    dialog.get_by_role("textbox", name="Field 2 name").fill("kept")
    dialog.get_by_role("button", name="Remove field 1").click()
    expect(dialog.get_by_role("textbox", name="Field 1 name")).to_have_value("kept")
    expect(dialog.get_by_role("textbox", name="Field 2 name")).to_have_count(0)
    dialog.get_by_role("button", name="Create").click()
    expect(row(user_page, name)).to_contain_text("kept (text)")
    expect(row(user_page, name)).not_to_contain_text("dropped")


def test_a_bad_structure_shows_the_error_at_the_field_it_names(user_page: Any) -> None:
    open_list(user_page)
    user_page.get_by_role("button", name="Create a data store").click()
    dialog = user_page.get_by_role("dialog", name="Create a data store")
    dialog.get_by_role("textbox", name="Name", exact=True).fill(f"Twice {next(_names)}")
    dialog.get_by_role("textbox", name="Field 1 name").fill("amount")
    dialog.get_by_role("button", name="Add field").click()
    dialog.get_by_role("textbox", name="Field 2 name").fill("amount")
    dialog.get_by_role("button", name="Create").click()
    second = dialog.get_by_role("textbox", name="Field 2 name")
    expect(second).to_have_attribute("aria-invalid", "true")
    expect(second).to_have_accessible_description(re.compile("named twice"))
    expect(second).to_be_focused()
    expect(dialog.get_by_role("textbox", name="Field 1 name")).not_to_have_attribute("aria-invalid", "true")
    check(user_page, "data-stores-create-error")
    second.fill("total")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_be_hidden()


def test_a_limit_above_the_servers_cap_shows_the_error_at_the_limit(user_page: Any) -> None:
    open_list(user_page)
    user_page.get_by_role("button", name="Create a data store").click()
    dialog = user_page.get_by_role("dialog", name="Create a data store")
    dialog.get_by_role("textbox", name="Name", exact=True).fill(f"Huge {next(_names)}")
    dialog.get_by_role("textbox", name="Field 1 name").fill("x")
    dialog.get_by_role("spinbutton", name="Most records").fill("99999999")
    dialog.get_by_role("button", name="Create").click()
    limit = dialog.get_by_role("spinbutton", name="Most records")
    expect(limit).to_have_accessible_description(re.compile("At most 10000 on this server"))
    expect(limit).to_be_focused()


def test_add_a_record_see_it_edit_it_and_delete_it_with_confirmation(user_page: Any) -> None:
    name = f"Customers {next(_names)}"
    Api(user_page).store(name, [{"name": "email", "type": "text", "required": True},
                                {"name": "visits", "type": "number"}, {"name": "vip", "type": "boolean"},
                                {"name": "since", "type": "date"}, {"name": "tags", "type": "array"}])
    open_store(user_page, name)
    expect(user_page.get_by_text("No records yet")).to_be_visible()
    user_page.get_by_role("button", name="Add record").click()
    dialog = user_page.get_by_role("dialog", name="Add record")
    dialog.get_by_role("textbox", name="Key").fill("ada")
    dialog.get_by_role("textbox", name="email").fill("ada@example.com")
    dialog.get_by_role("spinbutton", name="visits").fill("3")
    dialog.get_by_role("combobox", name="vip").select_option(label="Yes")
    dialog.get_by_label("since").fill("2024-03-05T14:30:00")
    dialog.get_by_role("textbox", name="tags").fill('["new", "eu"]')
    check(user_page, "data-store-add-record")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog).to_be_hidden()
    added = record_row(user_page, "ada")
    expect(added).to_contain_text("ada@example.com")
    expect(added.get_by_role("cell").nth(1)).to_have_text("3")
    expect(added.get_by_role("cell").nth(2)).to_have_text("Yes")
    expect(added).to_contain_text('["new","eu"]')

    user_page.get_by_role("button", name="Edit record ada").click()
    editor = user_page.get_by_role("dialog", name="Edit record ada")
    expect(editor.get_by_role("spinbutton", name="visits")).to_have_value("3")
    expect(editor.get_by_label("since")).to_have_value("2024-03-05T14:30")
    editor.get_by_role("spinbutton", name="visits").fill("4")
    editor.get_by_role("combobox", name="vip").select_option(label="No")
    editor.get_by_role("button", name="Save").click()
    expect(editor).to_be_hidden()
    expect(added.get_by_role("cell").nth(1)).to_have_text("4")
    expect(added.get_by_role("cell").nth(2)).to_have_text("No")

    user_page.get_by_role("button", name="Delete record ada").click()
    confirm = user_page.get_by_role("dialog", name="Delete record")
    expect(confirm).to_contain_text("“ada”")
    confirm.get_by_role("button", name="Cancel").click()
    expect(added).to_have_count(1)
    user_page.get_by_role("button", name="Delete record ada").click()
    confirm.get_by_role("button", name="Delete").click()
    expect(added).to_have_count(0)
    expect(user_page.get_by_text("No records yet")).to_be_visible()


def test_a_record_that_does_not_fit_shows_the_problem_at_its_field(user_page: Any) -> None:
    name = f"Strict {next(_names)}"
    api = Api(user_page)
    store_id = api.store(name, [{"name": "code", "type": "text", "required": True}, {"name": "when", "type": "date"},
                                {"name": "meta", "type": "collection"}])
    api.record(store_id, "taken", {"code": "x"})
    open_store(user_page, name)
    user_page.get_by_role("button", name="Add record").click()
    dialog = user_page.get_by_role("dialog", name="Add record")
    dialog.get_by_role("textbox", name="meta").fill("[1, 2]")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog.get_by_role("textbox", name="code")).to_have_accessible_description(re.compile("Required"))
    expect(dialog.get_by_role("textbox", name="meta")).to_have_accessible_description(re.compile("JSON object"))
    dialog.get_by_role("textbox", name="code").fill("y")
    dialog.get_by_role("textbox", name="meta").fill('{"a": 1}')
    dialog.get_by_role("textbox", name="Key").fill("taken")
    dialog.get_by_role("button", name="Add", exact=True).click()
    key = dialog.get_by_role("textbox", name="Key")
    expect(key).to_have_accessible_description(re.compile("exists already"))
    expect(key).to_be_focused()
    assert api.get(f"/data-stores/{store_id}/records/taken")["data"] == {"code": "x"}


def test_a_record_added_without_a_key_gets_one(user_page: Any) -> None:
    name = f"Keyless {next(_names)}"
    store_id = Api(user_page).store(name, [{"name": "note", "type": "text"}])
    open_store(user_page, name)
    user_page.get_by_role("button", name="Add record").click()
    dialog = user_page.get_by_role("dialog", name="Add record")
    dialog.get_by_role("textbox", name="note").fill("hello")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(user_page.get_by_role("cell", name="hello")).to_be_visible()
    [record] = Api(user_page).get(f"/data-stores/{store_id}/records")
    assert re.fullmatch("[0-9a-f]{16}", record["key"]), record


def test_paging_through_records(user_page: Any) -> None:
    name = f"Many {next(_names)}"
    api = Api(user_page)
    store_id = api.store(name, [{"name": "n", "type": "number"}])
    for n in range(45):
        api.record(store_id, f"k{n:02d}", {"n": n})
    open_store(user_page, name)
    pages = user_page.get_by_role("navigation", name="Record pages")
    expect(pages.get_by_role("status")).to_have_text("Page 1: records 1 to 20")
    expect(record_row(user_page, "k00")).to_be_visible()
    expect(record_row(user_page, "k19")).to_be_visible()
    expect(record_row(user_page, "k20")).to_have_count(0)
    expect(pages.get_by_role("button", name="Previous page")).to_be_disabled()
    pages.get_by_role("button", name="Next page").click()
    expect(pages.get_by_role("status")).to_have_text("Page 2: records 21 to 40")
    expect(record_row(user_page, "k20")).to_be_visible()
    expect(record_row(user_page, "k00")).to_have_count(0)
    check(user_page, "data-store-page-2")
    pages.get_by_role("button", name="Next page").click()
    expect(pages.get_by_role("status")).to_have_text("Page 3: records 41 to 45")
    expect(record_row(user_page, "k44")).to_be_visible()
    expect(pages.get_by_role("button", name="Next page")).to_be_disabled()
    pages.get_by_role("button", name="Previous page").click()
    pages.get_by_role("button", name="Previous page").click()
    expect(pages.get_by_role("status")).to_have_text("Page 1: records 1 to 20")
    expect(record_row(user_page, "k00")).to_be_visible()


def test_bytes_used_are_shown_against_the_limit_and_grow_after_adding_a_record(user_page: Any) -> None:
    name = f"Sized {next(_names)}"
    api = Api(user_page)
    store_id = api.store(name, [{"name": "note", "type": "text"}], max_size_bytes=2048)
    open_list(user_page)
    listed = row(user_page, name)
    expect(listed).to_contain_text("0 B of 2 KiB used (0%)")
    expect(listed.get_by_role("meter", name=f"Size used by {name}")).to_have_attribute("max", "2048")
    listed.get_by_role("link", name=f"Open {name}").click()
    meter = user_page.get_by_role("meter", name="Size used", exact=True)
    expect(meter).to_have_attribute("value", "0")
    expect(meter).to_have_accessible_description("0 B of 2 KiB used (0%)")
    user_page.get_by_role("button", name="Add record").click()
    dialog = user_page.get_by_role("dialog", name="Add record")
    dialog.get_by_role("textbox", name="Key").fill("one")
    dialog.get_by_role("textbox", name="note").fill("x" * 500)
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(record_row(user_page, "one")).to_be_visible()
    size = api.get(f"/data-stores/{store_id}")["size_bytes"]
    assert size > 500
    expect(meter).to_have_attribute("value", str(size))
    expect(meter).to_have_accessible_description(f"{size} B of 2 KiB used ({round(size / 2048 * 100)}%)")
    expect(user_page.get_by_role("meter", name="Records held", exact=True)).to_have_accessible_description(
        re.compile("^1 of 10,000 records$"))
    open_list(user_page)
    expect(row(user_page, name)).to_contain_text(f"{size} B of 2 KiB used")


def test_delete_the_store_from_its_page_with_confirmation(user_page: Any) -> None:
    name = f"Doomed {next(_names)}"
    api = Api(user_page)
    store_id = api.store(name)
    api.record(store_id, "a", {"status": "x"})
    open_store(user_page, name)
    user_page.get_by_role("button", name="Delete data store").click()
    dialog = user_page.get_by_role("dialog", name="Delete data store")
    expect(dialog).to_contain_text(f"Delete “{name}” and its 1 record?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    user_page.get_by_role("button", name="Delete data store").click()
    dialog.get_by_role("button", name="Delete").click()
    expect(user_page.get_by_role("heading", name="Data stores", level=1)).to_be_visible()
    expect(row(user_page, name)).to_have_count(0)
    assert all(s["id"] != store_id for s in api.get("/data-stores"))


def test_delete_a_store_from_the_list_with_confirmation(user_page: Any) -> None:
    api = Api(user_page)
    doomed, kept = f"Old {next(_names)}", f"Kept {next(_names)}"
    api.store(doomed)
    api.store(kept)
    open_list(user_page)
    user_page.get_by_role("button", name=f"Delete {doomed}").click()
    dialog = user_page.get_by_role("dialog", name="Delete data store")
    dialog.get_by_role("button", name="Cancel").click()
    expect(row(user_page, doomed)).to_have_count(1)
    user_page.get_by_role("button", name=f"Delete {doomed}").click()
    dialog.get_by_role("button", name="Delete").click()
    expect(row(user_page, doomed)).to_have_count(0)
    expect(row(user_page, kept)).to_have_count(1)


def test_the_structure_changes_within_what_the_records_allow(user_page: Any) -> None:
    name = f"Growing {next(_names)}"
    api = Api(user_page)
    store_id = api.store(name, [{"name": "status", "type": "text"}])
    api.record(store_id, "a", {"status": "x"})
    open_store(user_page, name)
    user_page.get_by_role("button", name="Edit data store").click()
    dialog = user_page.get_by_role("dialog", name="Edit data store")
    expect(dialog.get_by_role("textbox", name="Field 1 name")).to_have_value("status")
    dialog.get_by_role("button", name="Add field").click()
    dialog.get_by_role("textbox", name="Field 2 name").fill("amount")
    dialog.get_by_role("combobox", name="Field 2 type").select_option(label="Number")
    dialog.get_by_role("checkbox", name="Field 2 required").check()
    dialog.get_by_role("button", name="Save").click()
    required = dialog.get_by_role("checkbox", name="Field 2 required")
    expect(required).to_have_accessible_description(re.compile("cannot be required while the store has records"))
    required.uncheck()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(user_page.get_by_role("columnheader", name="amount")).to_be_visible()
    assert [f["name"] for f in api.get(f"/data-stores/{store_id}")["structure"]] == ["status", "amount"]


def test_the_list_and_a_store_at_390_px(browser: Any, ui_server: Server) -> None:
    context = new_context(browser, ui_server, viewport={"width": 390, "height": 844})
    guard = PageGuard()
    page = context.new_page()
    guard.watch(page)
    try:
        log_in(page, register(ui_server))
        api = Api(page)
        name = f"Phone {next(_names)}"
        store_id = api.store(name)
        api.record(store_id, "first", {"status": "paid", "amount": 12})
        open_list(page)
        check(page, "data-stores-390")
        for control in (page.get_by_role("button", name="Create a data store"),
                        page.get_by_role("link", name=f"Open {name}"),
                        page.get_by_role("button", name=f"Delete {name}")):
            control.scroll_into_view_if_needed()
            box = control.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        page.get_by_role("link", name=f"Open {name}").click()
        expect(page.get_by_role("button", name="Edit record first")).to_be_visible()
        check(page, "data-store-390")
        violations = guard.violations(page)
    finally:
        context.close()
    assert not violations, f"CSP violations: {violations}"


def test_every_control_of_a_store_is_reachable_by_keyboard_with_visible_focus(user_page: Any) -> None:
    name = f"Keys {next(_names)}"
    api = Api(user_page)
    store_id = api.store(name)
    api.record(store_id, "only", {"status": "x"})
    open_store(user_page, name)
    wanted = {"All data stores", "Edit data store", "Delete data store", "Add record", "Records table",
              "Edit record only", "Delete record only"}
    reached: set[str] = set()
    for _ in range(25):
        user_page.keyboard.press("Tab")
        label = user_page.evaluate("""() => {
            const el = document.activeElement;
            return el.getAttribute('aria-label') || el.textContent.trim();
        }""")
        if label in wanted:
            outline = user_page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"no visible focus on {label}"
        reached.add(label)
    assert wanted <= reached, wanted - reached
