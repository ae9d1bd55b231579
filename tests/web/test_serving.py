"""How `scenarist serve` serves the web UI: index.html for deep links, hashed assets, old browsers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
from starlette.datastructures import Headers

from scenarist.server.webui import IMMUTABLE, WebUI, too_old

TODAY = date(2026, 12, 3)
CURRENT_CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/143.0.0.0 Safari/537.36")
OLD_CHROME = CURRENT_CHROME.replace("Chrome/143", "Chrome/109")
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"
WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 26_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A stand-in for Vite's output: index.html, a hashed asset, a top-level file."""
    root = tmp_path / "webui"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text('<!doctype html><script type="module" src="/assets/app-abc123.js"></script>')
    (root / "assets" / "app-abc123.js").write_text("export {};")
    (root / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside")
    return root


def ui_answer(build: Path, path: str, user_agent: str = CURRENT_CHROME) -> tuple[int, dict[str, str], bytes]:
    response = WebUI(build, today=lambda: TODAY).answer(path, Headers({"user-agent": user_agent}))
    body = getattr(response, "body", b"") or Path(getattr(response, "path", "/dev/null")).read_bytes()
    return response.status_code, dict(response.headers), body


@pytest.mark.parametrize("path", ["/", "/login", "/scenarios/abc", "/scenarios/abc/history", "/a.b/c"])
def test_every_deep_link_answers_index_html_uncached(build: Path, path: str) -> None:
    status, headers, body = ui_answer(build, path)
    assert status == 200
    assert headers["cache-control"] == "no-cache"
    assert b'type="module"' in body


def test_hashed_assets_are_cached_for_a_year(build: Path) -> None:
    status, headers, body = ui_answer(build, "/assets/app-abc123.js")
    assert status == 200
    assert headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert headers["content-type"].startswith("text/javascript")
    assert body == b"export {};"


def test_an_unknown_asset_is_a_404_not_index_html(build: Path) -> None:
    status, _, body = ui_answer(build, "/assets/gone-123.js")
    assert status == 404
    assert b"<script" not in body


def test_no_path_leaves_the_build_folder(build: Path) -> None:
    for path in ("/assets/../../secret.txt", "/../secret.txt", "/assets/%2e%2e/secret.txt"):
        status, _, body = ui_answer(build, path)
        assert b"outside" not in body
        assert status in (200, 404)


def test_a_top_level_file_of_the_build_is_served(build: Path) -> None:
    status, headers, body = ui_answer(build, "/favicon.svg")
    assert (status, body, headers["cache-control"]) == (200, b"<svg/>", "no-cache")


@pytest.mark.parametrize("user_agent", [
    IE11,
    "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)",
    OLD_CHROME,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 Firefox/102.0",
    MAC + " Version/15.6 Safari/605.1.15",
    WIN + " Chrome/70.0 Safari/537.36 Edge/18.17763",
    CURRENT_CHROME.replace("Chrome/143", "Chrome/118") + " Edg/118.0.2088.46",
])
def test_a_browser_too_old_gets_a_plain_page_without_script(build: Path, user_agent: str) -> None:
    status, headers, body = ui_answer(build, "/scenarios", user_agent)
    assert status == 200
    assert b"<script" not in body
    assert b"current" in body
    assert headers["vary"] == "User-Agent"


@pytest.mark.parametrize("user_agent", [
    CURRENT_CHROME,
    CURRENT_CHROME.replace("Chrome/143", "Chrome/125"),
    CURRENT_CHROME + " Edg/143.0.0.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    MAC + " Version/18.2 Safari/605.1.15",
    IPHONE + " Version/26.0 Mobile/15E148 Safari/604.1",
    "curl/8.5.0",
    "",
])
def test_a_current_or_unknown_browser_gets_the_app(user_agent: str) -> None:
    assert not too_old(user_agent, TODAY)


def test_three_years_is_judged_from_today() -> None:
    chrome_120 = CURRENT_CHROME.replace("Chrome/143", "Chrome/120")
    assert not too_old(chrome_120, date(2026, 12, 3))
    assert too_old(chrome_120, date(2027, 6, 1))


def test_without_a_build_the_ui_paths_say_how_to_build_it(tmp_path: Path) -> None:
    status, _, body = ui_answer(tmp_path / "nothing", "/")
    assert status == 503
    assert b"make run" in body


# -- through the whole app


async def test_the_app_serves_the_ui_with_its_security_headers(client: httpx.AsyncClient) -> None:
    answer = await client.get("/scenarios/abc", headers={"user-agent": CURRENT_CHROME})
    assert answer.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert "unsafe-inline" not in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"


async def test_the_api_keeps_its_json_404(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/nothing-here", "/api/nothing", "/api"):
        answer = await client.get(path)
        assert answer.status_code == 404, path
        assert answer.json()["error"]["code"] == "not_found"


async def test_hooks_keep_their_behaviour(client: httpx.AsyncClient) -> None:
    answer = await client.get("/hooks/unknown-token")
    assert answer.status_code == 404
    assert "<script" not in answer.text
    assert "text/html" not in answer.headers.get("content-type", "")


async def test_other_methods_on_ui_paths_are_not_the_ui(client: httpx.AsyncClient) -> None:
    answer = await client.post("/scenarios", json={})
    assert answer.status_code in (404, 405)
    assert "error" in answer.json()


async def test_the_old_browser_page_comes_through_the_app(client: httpx.AsyncClient) -> None:
    answer = await client.get("/login", headers={"user-agent": IE11})
    assert answer.status_code == 200
    assert "<script" not in answer.text
    assert "current" in answer.text
