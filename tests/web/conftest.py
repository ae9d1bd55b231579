"""The web UI's tests: HTTP tests against the app in-process, and browser tests against `scenarist serve`.

Browser tests need Node (to have built the UI) and Chromium: where either is
missing they skip with the reason on a laptop and FAIL under ``CI=true``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import service_missing
from tests.server.conftest import app, client, make_settings, settings  # noqa: F401 (the API fixtures, in-process)
from tests.web.browser import CHROMIUM_ARGS, PageGuard, Server, client_address, serving
from tests.web.tooling import built_ui, chromium

# -- browser tests: one `scenarist serve` for the session (a module may start its own), one Chromium per module


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Each test works with its own account, so one server serves every module that needs no special settings."""
    built_ui()
    with serving(tmp_path_factory.mktemp("serve")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_missing("the playwright Python package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_context(browser: Any, server: Server, **options: Any) -> Any:
    options.setdefault("viewport", {"width": 1280, "height": 800})
    context = browser.new_context(base_url=server.base, extra_http_headers={"x-forwarded-for": client_address()},
                                  **options)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(browser: Any, ui_server: Server) -> Iterator[Any]:
    """A page in a fresh context (no cookies); the test fails on any CSP violation the browser reported."""
    context = new_context(browser, ui_server)
    guard = PageGuard()
    opened = context.new_page()
    guard.watch(opened)
    yield opened
    violations = guard.violations(opened)
    context.close()
    assert not violations, f"CSP violations: {violations}"
