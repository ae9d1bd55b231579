"""The built app as `scenarist serve` serves it: nothing inline, cache headers, within the size budget."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser

import httpx

from tests.web.browser import Server
from tests.web.tooling import BUILD, built_ui

BUDGET_BYTES = 250 * 1024
"""Initial load: the JS and CSS that index.html pulls in, gzipped."""


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_script = False
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script = True


def parsed_index() -> Tags:
    tags = Tags()
    tags.feed((built_ui() / "index.html").read_text())
    return tags


def initial_assets() -> list[str]:
    urls = []
    for tag, attrs in parsed_index().tags:
        if tag == "script" and "nomodule" not in attrs and attrs.get("src"):
            urls.append(str(attrs["src"]))
        if tag == "link" and attrs.get("rel") in ("stylesheet", "modulepreload") and attrs.get("href"):
            urls.append(str(attrs["href"]))
    return urls


def test_the_built_index_has_nothing_inline() -> None:
    tags = parsed_index()
    assert not tags.inline_script
    assert all(tag != "style" for tag, _ in tags.tags)
    assert all("style" not in attrs for _, attrs in tags.tags)
    scripts = [attrs for tag, attrs in tags.tags if tag == "script"]
    assert {attrs.get("type") for attrs in scripts if "nomodule" not in attrs} == {"module"}
    assert any("nomodule" in attrs for attrs in scripts), "the nomodule fallback is missing"


def test_the_bundle_uses_no_eval() -> None:
    for script in (BUILD / "assets").glob("*.js"):
        text = script.read_text()
        assert not re.search(r"\bnew Function\(|\beval\(", text), script.name


def test_the_initial_load_is_within_budget() -> None:
    total = sum(len(gzip.compress((BUILD / url.lstrip("/")).read_bytes(), 9)) for url in initial_assets())
    assert 0 < total <= BUDGET_BYTES, f"{total / 1024:.1f} KiB gzipped"


def test_the_server_caches_assets_forever_and_index_never(ui_server: Server) -> None:
    index = httpx.get(f"{ui_server.base}/scenarios/some-id/history")
    assert index.status_code == 200
    assert index.headers["cache-control"] == "no-cache"
    assert '<div id="root">' in index.text
    for url in initial_assets():
        asset = httpx.get(f"{ui_server.base}{url}")
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert asset.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(f"{ui_server.base}/api/v1/no-such-thing").json()["error"]["code"] == "not_found"


def test_the_server_sends_an_old_browser_the_plain_page(ui_server: Server) -> None:
    ie = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
    answer = httpx.get(f"{ui_server.base}/login", headers={"user-agent": ie})
    assert answer.status_code == 200
    assert "<script" not in answer.text
    assert "current" in answer.text
