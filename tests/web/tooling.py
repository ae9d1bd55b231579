"""Where the web UI's tools are: the web/ folder, its node_modules, the built UI, Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import service_missing

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
NODE_BIN = WEB / "node_modules" / ".bin"
BUILD = ROOT / "src" / "scenarist" / "server" / "webui"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def node_tool(name: str) -> Path:
    """A tool of web/node_modules/.bin; skip (fail under CI) when Node or `npm ci` is missing."""
    if shutil.which("node") is None:
        service_missing("Node is not installed (make test installs it as root)")
    tool = NODE_BIN / name
    if not tool.exists():
        service_missing(f"{tool} is missing: run `make web` (npm ci in web/)")
    return tool


def built_ui() -> Path:
    """The built UI; skip (fail under CI) when it was not built."""
    if not (BUILD / "index.html").is_file():
        service_missing("the web UI is not built: run `make web`")
    return BUILD


def chromium() -> str:
    """The Chromium executable; skip (fail under CI) when there is none."""
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if found is None:
        service_missing("Chromium is not installed (make test installs Debian's chromium as root)")
    return str(found)
