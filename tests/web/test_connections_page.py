"""The connections page against a real `scenarist serve` (egress to loopback allowed), a real SMTP server
(aiosmtpd) for the connection tests and a real OAuth 2.0 authorization server, both on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from playwright.sync_api import expect

from tests.oauth_server import CLIENT_ID, CLIENT_SECRET, AuthServer, serve
from tests.web.browser import PageGuard, Server, free_port, log_in, register, serving
from tests.web.conftest import new_context
from tests.web.tooling import built_ui

USER, PASSWORD = "ada@example.com", "smtp-pass-7f3a"
SECRET_TOKEN = "tok-secret-91c4e2"
API = "/api/v1"


class Logins:
    """aiosmtpd handler: accepts one user name and password, drops every message."""

    def authenticate(self, server: SMTPServer, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(), PASSWORD.encode())
        return AuthResult(success=ok, handled=False)

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        return "250 OK"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Its own server: connection tests and the OAuth token exchange reach 127.0.0.1."""
    built_ui()
    with serving(tmp_path_factory.mktemp("connections"), SCENARIST_EGRESS_ALLOW="127.0.0.1/32") as running:
        yield running


@pytest.fixture(scope="module")
def smtp_port() -> Iterator[int]:
    """A plain SMTP server with AUTH (no TLS: the connections choose security "none")."""
    logins = Logins()
    port = free_port()
    controller = Controller(logins, hostname="127.0.0.1", port=port, authenticator=logins.authenticate,
                            auth_require_tls=False, ready_timeout=15)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh account, logged in, on `/connections`; fails on any CSP violation."""
    context = new_context(browser, server)
    guard = PageGuard()
    opened = context.new_page()
    guard.watch(opened)
    log_in(opened, register(server))
    opened.get_by_role("navigation", name="Main").get_by_role("link", name="Connections").click()
    expect(opened.get_by_role("heading", name="Connections", level=1)).to_be_visible()
    yield opened
    violations = guard.violations(opened)
    context.close()
    assert not violations, f"CSP violations: {violations}"


def api(page: Any, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The API as the page's session (its cookie and CSRF token)."""
    csrf = page.request.get(f"{API}/auth/me").json()["csrf_token"]
    answer = page.request.fetch(f"{API}{path}", method=method, data=body, headers={"X-CSRF-Token": csrf})
    assert answer.ok, answer.text()
    return answer


def smtp_fields(port: int, **extra: Any) -> dict[str, Any]:
    return {"host": "127.0.0.1", "port": port, "security": "none", "username": USER, "password": PASSWORD,
            "from_address": "Ada <ada@example.com>", **extra}


def add(page: Any, type_label: str, name: str) -> Any:
    """Opens "Add connection", picks the type and names it; the dialog, for its fields."""
    page.get_by_role("button", name="Add connection").click()
    dialog = page.get_by_role("dialog", name="Add connection")
    dialog.get_by_role("combobox", name="Connection type").select_option(label=type_label)
    dialog.get_by_role("textbox", name="Connection name").fill(name)
    return dialog


def fill_smtp(dialog: Any, port: int) -> None:
    dialog.get_by_role("textbox", name="Host", exact=True).fill("127.0.0.1")
    dialog.get_by_role("spinbutton", name="Port").fill(str(port))
    dialog.get_by_role("combobox", name="Security").select_option("none")
    dialog.get_by_role("textbox", name="Username").fill(USER)
    dialog.get_by_label("Password", exact=True).fill(PASSWORD)
    dialog.get_by_role("textbox", name="From address").fill("Ada <ada@example.com>")


def row_names(page: Any) -> list[str]:
    rows = page.get_by_role("table").get_by_role("row")
    return [" | ".join(cell.strip() for cell in row.locator("th, td").all_inner_texts()[:2])
            for row in rows.all()[1:]]


def test_an_account_without_connections_says_how_to_start(page: Any) -> None:
    expect(page.get_by_role("heading", name="No connections yet")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    expect(page.get_by_role("button", name="Add connection")).to_be_enabled()


def test_a_connection_made_with_the_generated_form_is_listed_and_its_secret_never_shown(page: Any) -> None:
    dialog = add(page, "Bearer token", "Billing API")
    token = dialog.get_by_label("Token")
    expect(token).to_have_attribute("type", "password")
    expect(token).to_have_attribute("autocomplete", "new-password")
    token.fill(SECRET_TOKEN)
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("“Billing API” was added.")
    expect(dialog).to_be_hidden()
    api(page, "POST", "/connections", {"type": "http.api_key", "name": "Shop key",
                                       "fields": {"name": "X-Key", "value": "key-secret-55"}})
    api(page, "POST", "/connections", {"type": "http.bearer", "name": "Analytics", "fields": {"token": "t0k3n-2"}})
    page.reload()
    expect(page.get_by_role("row", name="Billing API")).to_be_visible()
    assert row_names(page) == ["Shop key | API key", "Analytics | Bearer token", "Billing API | Bearer token"]
    assert SECRET_TOKEN not in page.content()
    for path in ("/connections", "/account/export", "/apps"):
        assert SECRET_TOKEN not in page.request.get(f"{API}{path}").text(), path
    page.get_by_role("button", name="Edit Billing API").click()
    edit = page.get_by_role("dialog", name="Edit connection")
    expect(edit.get_by_label("Token")).to_have_value("")
    assert SECRET_TOKEN not in page.content()


def test_testing_a_connection_says_that_it_works(page: Any, smtp_port: int) -> None:
    dialog = add(page, "SMTP server", "Mail")
    fill_smtp(dialog, smtp_port)
    expect(dialog.get_by_role("checkbox", name="TLS Verify")).to_be_checked()
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("row", name="Mail")).to_contain_text("SMTP server")
    page.get_by_role("button", name="Test Mail").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"“Mail” works: Connected to 127.0.0.1:{smtp_port} (no TLS, logged in as {USER})")
    [listed] = page.request.get(f"{API}/connections").json()
    assert listed["fields"]["port"] == smtp_port and listed["fields"]["security"] == "none"
    assert "password" not in listed["fields"]


def test_testing_a_connection_that_fails_says_why(page: Any, smtp_port: int) -> None:
    api(page, "POST", "/connections", {"type": "email.smtp", "name": "Wrong password",
                                       "fields": smtp_fields(smtp_port, password="not-the-password")})
    api(page, "POST", "/connections", {"type": "email.smtp", "name": "Nobody there",
                                       "fields": smtp_fields(free_port())})
    page.reload()
    page.get_by_role("button", name="Test Wrong password").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("“Wrong password” failed the test: AuthenticationError")
    assert "not-the-password" not in alert.inner_text()
    expect(page.get_by_role("row", name="Wrong password")).to_contain_text("Refused by the service")
    page.get_by_role("button", name="Test Nobody there").click()
    expect(page.get_by_role("alert")).to_contain_text("“Nobody there” failed the test: ConnectionError")


def test_renaming_a_connection_keeps_its_secret(page: Any, smtp_port: int) -> None:
    api(page, "POST", "/connections", {"type": "email.smtp", "name": "Mail", "fields": smtp_fields(smtp_port)})
    page.reload()
    page.get_by_role("button", name="Edit Mail").click()
    dialog = page.get_by_role("dialog", name="Edit connection")
    expect(dialog.get_by_role("textbox", name="Connection name")).to_have_value("Mail")
    expect(dialog.get_by_role("textbox", name="Host", exact=True)).to_have_value("127.0.0.1")
    expect(dialog.get_by_role("spinbutton", name="Port")).to_have_value(str(smtp_port))
    password = dialog.get_by_label("Password", exact=True)
    expect(password).to_have_value("")
    expect(password).to_have_attribute("type", "password")
    expect(password).to_have_accessible_description("Password (kept secret). Leave blank to keep the current value.")
    dialog.get_by_role("textbox", name="Connection name").fill("Outbox")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("“Outbox” was saved.")
    expect(page.get_by_role("row", name="Outbox")).to_be_visible()
    page.get_by_role("button", name="Test Outbox").click()  # the server still logs in with the kept password
    expect(page.get_by_role("status")).to_contain_text(f"“Outbox” works: Connected to 127.0.0.1:{smtp_port}")
    expect(page.get_by_role("status")).to_contain_text(f"logged in as {USER}")


def test_deleting_asks_first_and_says_the_credentials_are_erased(page: Any) -> None:
    api(page, "POST", "/connections", {"type": "http.bearer", "name": "Old API", "fields": {"token": "t0ken-old"}})
    page.reload()
    page.get_by_role("button", name="Delete Old API").click()
    dialog = page.get_by_role("dialog", name="Delete connection")
    expect(dialog).to_contain_text("Its credentials are erased")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("row", name="Old API")).to_be_visible()
    page.get_by_role("button", name="Delete Old API").click()
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("“Old API” and its credentials were deleted.")
    expect(page.get_by_role("heading", name="No connections yet")).to_be_visible()
    assert page.request.get(f"{API}/connections").json() == []


def test_a_field_the_form_or_the_server_refuses_says_so_at_the_field(page: Any, smtp_port: int) -> None:
    dialog = add(page, "SMTP server", "Mail")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog.get_by_role("alert")).to_contain_text("Check the 2 marked fields.")
    host = dialog.get_by_role("textbox", name="Host", exact=True)
    expect(host).to_have_accessible_description("Server host name or IP address. Required.")
    expect(host).to_have_attribute("aria-invalid", "true")
    fill_smtp(dialog, 70000)
    dialog.get_by_role("button", name="Add", exact=True).click()
    port = dialog.get_by_role("spinbutton", name="Port")
    expect(port).to_have_accessible_description("Server port; empty for the usual port of the security mode "
                                                "(SMTP: 587 STARTTLS, 465 SSL, 25 none; IMAP: 993 SSL, 143 otherwise). "
                                                "Must be at most 65535.")
    expect(dialog.get_by_role("alert")).to_contain_text("(field: fields.port)")
    port.fill(str(smtp_port))
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("row", name="Mail")).to_be_visible()


@pytest.fixture
def authorization_server(server: Server) -> Iterator[AuthServer]:
    with serve(AuthServer(redirect_uris=(f"{server.base}{API}/oauth/callback",))) as running:
        yield running


def test_an_oauth_connection_is_authorized_at_the_service_and_comes_back_connected(
        page: Any, authorization_server: AuthServer) -> None:
    dialog = add(page, "OAuth 2.0", "Service")
    dialog.get_by_role("textbox", name="Authorize URL").fill(f"{authorization_server.url}/authorize")
    dialog.get_by_role("textbox", name="Token URL").fill(f"{authorization_server.url}/token")
    dialog.get_by_role("textbox", name="Client ID").fill(CLIENT_ID)
    dialog.get_by_label("Client secret").fill(CLIENT_SECRET)
    dialog.get_by_role("textbox", name="Scopes").fill("profile email")
    with page.expect_navigation(url=lambda url: "oauth=connected" in url):
        dialog.get_by_role("button", name="Add and connect").click()
    assert authorization_server.authorize_requests[0]["scope"] == "profile email"
    assert authorization_server.code_grants == 1  # the code was traded for tokens, with the PKCE verifier
    expect(page.get_by_role("status")).to_have_text("“Service” is connected.")
    expect(page.get_by_role("row", name="Service")).to_contain_text("Connected")
    assert CLIENT_SECRET not in page.content()
    page.get_by_role("button", name="Test Service").click()
    expect(page.get_by_role("status")).to_contain_text("“Service” works: authorized")


def test_an_oauth_consent_the_user_refuses_is_said_plainly(page: Any, authorization_server: AuthServer) -> None:
    authorization_server.deny = True
    created = api(page, "POST", "/connections", {"type": "http.oauth2", "name": "Service", "fields": {
        "authorize_url": f"{authorization_server.url}/authorize", "token_url": f"{authorization_server.url}/token",
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}}).json()
    assert "authorize_url" in created
    page.reload()
    expect(page.get_by_role("row", name="Service")).to_contain_text("Not connected")
    with page.expect_navigation(url=lambda url: "oauth=refused" in url):
        page.get_by_role("button", name="Connect Service").click()
    expect(page.get_by_role("alert")).to_contain_text("Connecting failed: the service did not authorize the "
                                                      "connection: access_denied")
    expect(page.get_by_role("row", name="Service")).to_contain_text("Not connected")
    assert authorization_server.code_grants == 0


def test_every_control_is_reachable_by_keyboard_with_visible_focus(page: Any) -> None:
    api(page, "POST", "/connections", {"type": "http.bearer", "name": "Keys", "fields": {"token": "t0ken-k"}})
    page.reload()
    expect(page.get_by_role("row", name="Keys")).to_be_visible()
    wanted = {"Add connection", "Test Keys", "Edit Keys", "Delete Keys"}
    reached: set[str] = set()
    for _ in range(30):
        page.keyboard.press("Tab")
        name = page.evaluate("() => document.activeElement.getAttribute('aria-label') || "
                             "document.activeElement.textContent.trim()")
        if name in wanted:
            assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none", name
        reached.add(name)
    assert wanted <= reached, wanted - reached
    page.get_by_role("button", name="Add connection").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Add connection")
    expect(dialog.get_by_role("combobox", name="Connection type")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
