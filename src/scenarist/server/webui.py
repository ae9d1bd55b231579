"""The web UI: the single-page app built into the package (``webui/``, made by ``make run``/``make test``).

Every GET or HEAD that no API route, webhook or root route takes is the UI's:

- ``/assets/...``: Vite's content-hashed files, cached for a year (``immutable``);
  an unknown asset is a plain 404 (never ``index.html``, which would be run as script);
- another file at the build's top level (``favicon.svg``, ``unsupported.js``): no-cache;
- any other path (``/``, ``/login``, ``/scenarios/abc``): ``index.html`` with ``no-cache``,
  so that the router of the app takes the deep link;
- a browser too old for the app (Internet Explorer, or a Chrome, Edge, Firefox or
  Safari major version more than three years old, judged from its ``User-Agent``)
  gets a plain HTML page asking for a current browser, with no script.

When the UI was not built, the UI's paths answer a plain page saying how to build it.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

BUILD_DIR = Path(__file__).with_name("webui")
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
MAX_AGE = timedelta(days=3 * 365 + 1)
"""A browser major version released longer ago than this is too old."""


@dataclass(frozen=True)
class Cadence:
    """Major versions released every ``every`` since ``version`` came out on ``released``."""

    version: int
    released: date
    every: timedelta = timedelta(weeks=4)

    def released_on(self, version: int) -> date:
        return self.released + (version - self.version) * self.every


CHROMIUM = Cadence(120, date(2023, 12, 5))
"""Chrome, and Edge since 79, which shares its version numbers."""
FIREFOX = Cadence(121, date(2023, 12, 19))
BROWSERS = (
    (re.compile(r"\bEdg(?:e|A|iOS)?/(\d+)"), CHROMIUM),
    (re.compile(r"\b(?:Firefox|FxiOS)/(\d+)"), FIREFOX),
    (re.compile(r"\b(?:Chrome|Chromium|CriOS)/(\d+)"), CHROMIUM),
)
SAFARI = re.compile(r"\bVersion/(\d+)(?:\.\d+)*(?: Mobile/\S+)? Safari/")
INTERNET_EXPLORER = re.compile(r"\bMSIE \d|\bTrident/\d")
LEGACY_EDGE = re.compile(r"\bEdge/(\d+)")


def safari_released(major: int) -> date:
    """Safari ships one major version a year, in September; after 18 (2024) it took the year's number (26)."""
    year = 2006 + major if major <= 18 else 1999 + max(major, 26)
    return date(year, 9, 15)


def too_old(user_agent: str, today: date) -> bool:
    """True for Internet Explorer and for a known browser whose major version is over three years old."""
    if INTERNET_EXPLORER.search(user_agent) or LEGACY_EDGE.search(user_agent):
        return True
    oldest = today - MAX_AGE
    for pattern, cadence in BROWSERS:
        found = pattern.search(user_agent)
        if found:
            return cadence.released_on(int(found.group(1))) < oldest
    found = SAFARI.search(user_agent)
    if found:
        return safari_released(int(found.group(1))) < oldest
    return False


UNSUPPORTED_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scenarist: please use a current browser</title></head>
<body>
<main>
<h1>Your browser is too old for Scenarist</h1>
<p>Scenarist needs a current web browser. Please open this page in a recent version of
Firefox, Chrome, Edge or Safari.</p>
</main>
</body>
</html>
"""

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Scenarist: web UI not built</title></head>
<body><main><h1>The web UI is not built</h1>
<p>Run <code>make run</code> (or <code>make web</code>) to build it; the REST API is at /api/v1.</p></main></body>
</html>
"""


class WebUI:
    """The ASGI app of the UI's paths (see the module docstring)."""

    def __init__(self, build_dir: Path = BUILD_DIR, *, today: Callable[[], date] = date.today) -> None:
        self.build_dir = build_dir
        self._today = today

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = self.answer(scope["path"], Headers(scope=scope))
        await answer(scope, receive, send)

    def answer(self, path: str, headers: Headers) -> Response:
        if path.startswith("/assets/"):
            return self._file(path, IMMUTABLE) or PlainTextResponse("not found", status_code=404)
        top_level = path.count("/") == 1 and "." in path and path != "/index.html"
        if top_level:
            found = self._file(path, NO_CACHE)
            if found is not None:
                return found
        return self._index(headers)

    def _index(self, headers: Headers) -> Response:
        vary = {"cache-control": NO_CACHE, "vary": "User-Agent"}
        if too_old(headers.get("user-agent", ""), self._today()):
            return HTMLResponse(UNSUPPORTED_PAGE, headers=vary)
        index = self.build_dir / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT_PAGE, status_code=503, headers=vary)
        return FileResponse(index, media_type="text/html; charset=utf-8", headers=vary)

    def _file(self, path: str, cache_control: str) -> Response | None:
        """The build's file at ``path``, or None when there is none (no way out of the build folder)."""
        root = self.build_dir.resolve()
        candidate = (root / path.lstrip("/")).resolve()
        if root not in candidate.parents or not candidate.is_file():
            return None
        media_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        if media_type in {"text/javascript", "application/javascript"}:
            media_type = "text/javascript; charset=utf-8"
        return FileResponse(candidate, media_type=media_type, headers={"cache-control": cache_control})
